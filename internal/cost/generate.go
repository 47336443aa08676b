package cost

//go:generate go run ./gen
