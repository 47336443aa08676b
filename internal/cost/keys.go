package cost

import "fmt"

// Catalog keys of prices that come in variants. The estimate, the
// generator and live lookups build them here so a key means one product.

// EC2Key is an instance type's on-demand key: Linux on shared tenancy is
// the bare key, other systems (windows, rhel, suse) and dedicated
// tenancy add a segment.
func EC2Key(region, typ, os string, dedicated bool) string {
	k := fmt.Sprintf("aws/ec2/%s/%s", region, typ)
	if os != "" && os != "linux" {
		k += "/" + os
	}
	if dedicated {
		k += "/dedicated"
	}
	return k
}

// EC2HostKey is a Dedicated Host's on-demand key: hosts are sold per
// instance family (m5, c6i), whatever runs on them.
func EC2HostKey(region, family string) string {
	return fmt.Sprintf("aws/ec2-host/%s/%s", region, family)
}

// RDSKey is a database instance class's on-demand key for a Terraform
// engine name, Single-AZ unless multiAZ, license included unless byol.
func RDSKey(region, engine, class string, byol, multiAZ bool) string {
	k := fmt.Sprintf("aws/rds/%s/%s/%s", region, engine, class)
	if byol {
		k += "/byol"
	}
	if multiAZ {
		k += "/multi-az"
	}
	return k
}

// ReservedKey is the key of a reservation's hourly rate (its upfront fee
// spread over the term) for an on-demand key: class standard or
// convertible, term 1_year or 3_year, payment no_upfront, partial_upfront
// or all_upfront — Infracost's usage values.
func ReservedKey(base, class, term, payment string) string {
	return base + "/reserved/" + class + "/" + term + "/" + payment
}

// SavingsPlanKey is the key of a Compute Savings Plan's hourly rate for
// an EC2 on-demand key.
func SavingsPlanKey(base, term, payment string) string {
	return base + "/savings-plan/compute/" + term + "/" + payment
}

// CommitKey is the key of a committed use rate (term 1_year or 3_year)
// for an on-demand Compute Engine key.
func CommitKey(base, term string) string { return base + "/commit/" + term }
