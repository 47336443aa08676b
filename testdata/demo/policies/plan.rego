package main

# The database is never destroyed or replaced by an agent.
deny contains msg if {
	some rc in input.resource_changes
	rc.address == "terraform_data.database"
	"delete" in rc.change.actions
	msg := "terraform_data.database would be destroyed: its data goes with it"
}

# More than two app replicas is a capacity change the team looks at.
warn contains msg if {
	apps := [r | some r in input.planned_values.root_module.resources; r.type == "terraform_data"; r.name == "app"]
	count(apps) > 2
	msg := sprintf("%d app replicas planned (more than 2): a capacity change to review", [count(apps)])
}
