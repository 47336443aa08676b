package main

test_a_delete_is_denied if {
	deny["aws_instance.web would be destroyed"] with input as {"resource_changes": [{"address": "aws_instance.web", "change": {"actions": ["delete"]}}]}
}

test_creates_pass if {
	count(deny) == 0 with input as {"resource_changes": [{"address": "a.b", "change": {"actions": ["create"]}}]}
}
