package main

# Nothing is destroyed or replaced without a person looking twice.
deny contains msg if {
	some rc in input.resource_changes
	"delete" in rc.change.actions
	msg := sprintf("%s would be destroyed", [rc.address])
}

warn contains msg if {
	creates := [rc | some rc in input.resource_changes; "create" in rc.change.actions]
	count(creates) > 2
	msg := sprintf("%d resources are created at once", [count(creates)])
}

# The plan's cost estimate, when opsmcp gives one (conftest gives none).
deny contains msg if {
	data.opsmcp.cost.monthly_cost_change > 500
	msg := sprintf("the plan adds $%v a month", [data.opsmcp.cost.monthly_cost_change])
}
