package mcpkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// decodeArgs decodes tool arguments into a new T, applying `default` tags
// first. Every failure is one sentence naming the argument and what is
// expected, because the reader is often a model that will retry.
func decodeArgs[T any](raw json.RawMessage) (T, error) {
	var in T
	t := reflect.TypeFor[T]()
	v := reflect.ValueOf(&in).Elem()
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("mcpkit: tool input %v must be a struct", t))
	}
	fs := fields(t)
	for _, f := range fs {
		if d := f.Tag.Get("default"); d != "" {
			if err := json.Unmarshal([]byte(d), v.FieldByIndex(f.Index).Addr().Interface()); err != nil {
				panic(fmt.Sprintf("mcpkit: %v.%s: default %q does not fit the field: %v", t, f.Name, d, err))
			}
		}
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		raw = []byte("{}")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return in, errors.New("arguments must be a JSON object")
	}
	known := map[string]field{}
	var names []string
	for _, f := range fs {
		known[f.name] = f
		names = append(names, f.name)
	}
	var unknown []string
	for k := range top {
		if _, ok := known[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return in, fmt.Errorf("unknown argument %q; expected one of: %s", unknown[0], strings.Join(names, ", "))
	}
	for _, f := range fs {
		if !f.required {
			continue
		}
		if val, ok := top[f.name]; !ok || bytes.Equal(bytes.TrimSpace(val), []byte("null")) {
			return in, fmt.Errorf("missing required argument %q (%s)", f.name, describe(f))
		}
	}
	for _, f := range fs {
		val, ok := top[f.name]
		if !ok {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(val))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v.FieldByIndex(f.Index).Addr().Interface()); err != nil {
			return in, argError(f, err)
		}
		if e := f.Tag.Get("enum"); e != "" {
			s := fmt.Sprint(v.FieldByIndex(f.Index).Interface())
			if !slices.Contains(strings.Split(e, "|"), s) {
				return in, fmt.Errorf("argument %q is %q; expected one of: %s", f.name, s, strings.ReplaceAll(e, "|", ", "))
			}
		}
		if m := f.Tag.Get("minimum"); m != "" {
			fv := v.FieldByIndex(f.Index)
			var num float64
			switch fv.Kind() {
			case reflect.Int, reflect.Int64, reflect.Int32:
				num = float64(fv.Int())
			case reflect.Float64:
				num = fv.Float()
			}
			var min float64
			fmt.Sscan(m, &min)
			if num < min {
				return in, fmt.Errorf("argument %q is %v; it must be at least %s", f.name, num, m)
			}
		}
	}
	return in, nil
}

func argError(f field, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		where := f.name
		if te.Field != "" {
			where = f.name + "." + te.Field
		}
		return fmt.Errorf("argument %q must be %s, got %s", where, expected(te.Type), jsonKind(te.Value))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("argument %q is not valid JSON: %v", f.name, err)
	}
	if msg, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Errorf("argument %q has an unknown field %s", f.name, msg)
	}
	return fmt.Errorf("argument %q: %v", f.name, err)
}

func describe(f field) string {
	s := expected(f.Type)
	if d := f.Tag.Get("desc"); d != "" {
		s += ": " + d
	}
	return s
}

func expected(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return expected(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean (true or false)"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list of " + strings.TrimPrefix(strings.TrimPrefix(expected(t.Elem()), "a "), "an ") + " values"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a JSON value"
}

func jsonKind(v string) string {
	switch v {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "array":
		return "a list"
	case "object":
		return "an object"
	case "number":
		return "a number"
	}
	if strings.HasPrefix(v, "number") {
		return "the number " + strings.TrimPrefix(v, "number ")
	}
	return v
}
