package cost

// Where a price comes from: the catalog (a live cache over the embedded
// one), else a live lookup in the cloud's price API.

// PriceLookup finds a price by catalog key in a cloud's price API: found
// is false when the cloud lists no such price.
type PriceLookup interface {
	LookupPrice(key string) (p CatalogPrice, found bool, err error)
	// Covers reports whether the lookup reaches provider's ("aws", "gcp")
	// price list, so a region the catalog lacks can be priced there.
	Covers(provider string) bool
}

type liveAnswer struct {
	p     CatalogPrice
	found bool
	err   error
}

// lookup finds a price in the catalog, else live when a lookup is set;
// why says why there is none.
func (e *engine) lookup(key string) (p CatalogPrice, ok bool, why string) {
	if p, ok := e.cat.Lookup(key); ok {
		return p, true, ""
	}
	if e.opts.Live == nil {
		return CatalogPrice{}, false, ""
	}
	a, seen := e.live[key]
	if !seen {
		a.p, a.found, a.err = e.opts.Live.LookupPrice(key)
		if e.live == nil {
			e.live = map[string]liveAnswer{}
		}
		e.live[key] = a
	}
	switch {
	case a.err != nil:
		return CatalogPrice{}, false, "live lookup failed: " + a.err.Error()
	case !a.found:
		return CatalogPrice{}, false, "not in the catalog nor in the cloud's price list"
	}
	return a.p, true, ""
}
