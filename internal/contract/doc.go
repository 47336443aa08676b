// Package contract holds what one server tells another: each server's
// gather_context result is one exported type here, which the server
// returns and the rules expert reads. A renamed field is a compile error
// on both sides, not a silent empty value.
package contract
