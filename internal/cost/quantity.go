package cost

import (
	"k8s.io/apimachinery/pkg/api/resource"
)

// parseCPU reads a Kubernetes CPU quantity ("500m", "2") as vCPUs.
func parseCPU(s string) (Dec, error) {
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return Dec{}, err
	}
	return Int(q.MilliValue()).Div(thousand), nil
}

// parseMemGB reads a Kubernetes memory quantity ("512Mi", "2G") as GiB.
func parseMemGB(s string) (Dec, error) {
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return Dec{}, err
	}
	return Int(q.Value()).Div(Int(1 << 30)), nil
}
