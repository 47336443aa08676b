package kube

import (
	"fmt"
	"strconv"
)

// pageOf is one page of a list read whole (nodes with their pods' sums,
// metrics, Helm releases): limit items from the offset a continue token
// names. The token is the offset, so it stays valid while the list does.
func pageOf[T any](items []T, limit int, cont string) (page []T, next string, err error) {
	start := 0
	if cont != "" {
		if start, err = strconv.Atoi(cont); err != nil || start < 0 || start > len(items) {
			return nil, "", fmt.Errorf("continue %q is not a token of this list (the list may have changed): list again without it", cont)
		}
	}
	end := len(items)
	if limit > 0 && start+limit < end {
		end = start + limit
		next = strconv.Itoa(end)
	}
	return items[start:end], next, nil
}

// moreRemain tells that a page is not the whole list.
func moreRemain(next string) string {
	if next == "" {
		return ""
	}
	return "; more remain: pass continue " + strconv.Quote(next)
}
