package mcpkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// argDecoder decodes tool arguments into T. The struct's fields are read
// once, when the tool is defined, not on every call.
type argDecoder[T any] struct {
	fields []field
	byName map[string]field
	names  string // for "expected one of" messages
}

func newArgDecoder[T any]() *argDecoder[T] {
	t := reflect.TypeFor[T]()
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("mcpkit: tool input %v must be a struct", t))
	}
	d := &argDecoder[T]{fields: fields(t), byName: map[string]field{}}
	var names []string
	for _, f := range d.fields {
		d.byName[f.name] = f
		names = append(names, f.name)
		if def := f.Tag.Get("default"); def != "" {
			var zero T
			if err := json.Unmarshal([]byte(def), reflect.ValueOf(&zero).Elem().FieldByIndex(f.Index).Addr().Interface()); err != nil {
				panic(fmt.Sprintf("mcpkit: %v.%s: default %q does not fit the field: %v", t, f.Name, def, err))
			}
		}
	}
	d.names = strings.Join(names, ", ")
	return d
}

// decode decodes raw into a new T, applying `default` tags first. Every
// failure is one sentence naming the argument and what is expected, because
// the reader is often a model that will retry.
func (d *argDecoder[T]) decode(raw json.RawMessage) (T, error) {
	var in T
	v := reflect.ValueOf(&in).Elem()
	for _, f := range d.fields {
		if def := f.Tag.Get("default"); def != "" {
			_ = json.Unmarshal([]byte(def), v.FieldByIndex(f.Index).Addr().Interface()) // checked in newArgDecoder
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
	var unknown []string
	for k := range top {
		if _, ok := d.byName[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return in, fmt.Errorf("unknown argument %q; expected one of: %s", unknown[0], d.names)
	}
	for _, f := range d.fields {
		if !f.required {
			continue
		}
		if val, ok := top[f.name]; !ok || bytes.Equal(bytes.TrimSpace(val), []byte("null")) {
			return in, fmt.Errorf("missing required argument %q (%s)", f.name, describe(f))
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return in, d.argError(err)
	}
	for _, f := range d.fields {
		if _, ok := top[f.name]; !ok {
			continue
		}
		fv := v.FieldByIndex(f.Index)
		if e := f.Tag.Get("enum"); e != "" {
			s := fmt.Sprint(fv.Interface())
			if !slices.Contains(strings.Split(e, "|"), s) {
				return in, fmt.Errorf("argument %q is %q; expected one of: %s", f.name, s, strings.ReplaceAll(e, "|", ", "))
			}
		}
		var num float64
		switch fv.Kind() {
		case reflect.Int, reflect.Int64, reflect.Int32:
			num = float64(fv.Int())
		case reflect.Float64:
			num = fv.Float()
		}
		if m := f.Tag.Get("minimum"); m != "" {
			min, _ := strconv.ParseFloat(m, 64)
			if num < min {
				return in, fmt.Errorf("argument %q is %v; it must be at least %s", f.name, num, m)
			}
		}
		if m := f.Tag.Get("maximum"); m != "" {
			max, _ := strconv.ParseFloat(m, 64)
			if num > max {
				return in, fmt.Errorf("argument %q is %v; it must be at most %s", f.name, num, m)
			}
		}
		if m := f.Tag.Get("maxItems"); m != "" && (fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map) {
			if max, _ := strconv.Atoi(m); fv.Len() > max {
				return in, fmt.Errorf("argument %q has %d items; it may have at most %s", f.name, fv.Len(), m)
			}
		}
		if m := f.Tag.Get("maxLength"); m != "" && fv.Kind() == reflect.String {
			if max, _ := strconv.Atoi(m); len(fv.String()) > max {
				return in, fmt.Errorf("argument %q is %d bytes long; it may be at most %s", f.name, len(fv.String()), m)
			}
		}
	}
	return in, nil
}

// argError names the argument a decoding error is about.
func (d *argDecoder[T]) argError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		top, _, _ := strings.Cut(te.Field, ".")
		if f, ok := d.byName[top]; ok && top == te.Field {
			return fmt.Errorf("argument %q must be %s, got %s", te.Field, expected(f.Type), jsonKind(te.Value))
		}
		return fmt.Errorf("argument %q must be %s, got %s", te.Field, expected(te.Type), jsonKind(te.Value))
	}
	if msg, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Errorf("an argument has an unknown field %s", msg)
	}
	return fmt.Errorf("arguments: %v", err)
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
