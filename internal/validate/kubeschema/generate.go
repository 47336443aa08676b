package kubeschema

// The schemas are the real ones of a kubesim apiserver (needs the kubesim
// build, see tools/kubesim).
//go:generate go run ./gen v1.36.json.gz
