package mcpkit

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Schemas are generated from Go types so the type a handler receives and the
// schema a client sees cannot drift apart. Struct tags:
//
//	json:"name,omitempty"  property name; without omitempty the property is required
//	desc:"..."             description (kept short: clients pay for every byte)
//	enum:"a|b"             allowed values
//	default:"1800"         default, as JSON; applied before decoding
//	minimum:"0"            lower bound for numbers
//	maximum:"100"          upper bound for numbers
//	maxLength:"512"        upper bound for a string's length
//

// SchemaOf returns the full JSON schema of T (tool inputs).
func SchemaOf[T any]() json.RawMessage {
	return marshalSchema[T](schemaFor(reflect.TypeFor[T](), map[reflect.Type]bool{}))
}

// OutputSchemaOf returns a shallow schema of T for tool results: top-level
// properties with their types and which are always present. Every client
// pays for tools/list in context on every conversation, and nested result
// structure is documented by the result itself.
func OutputSchemaOf[T any]() json.RawMessage {
	full := schemaFor(reflect.TypeFor[T](), map[reflect.Type]bool{})
	props, _ := full["properties"].(map[string]any)
	shallow := map[string]any{}
	for name, p := range props {
		ps := p.(map[string]any)
		q := map[string]any{}
		if t, ok := ps["type"]; ok {
			q["type"] = t
		}
		if e, ok := ps["enum"]; ok {
			q["enum"] = e
		}
		shallow[name] = q
	}
	out := map[string]any{"type": "object", "properties": shallow}
	if r, ok := full["required"]; ok {
		out["required"] = r
	}
	return marshalSchema[T](out)
}

func marshalSchema[T any](s map[string]any) json.RawMessage {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("mcpkit: schema of %v: %v", reflect.TypeFor[T](), err))
	}
	return b
}

var (
	timeType    = reflect.TypeFor[time.Time]()
	rawJSONType = reflect.TypeFor[json.RawMessage]()
	schemaType  = reflect.TypeFor[JSONSchemaer]()
)

// JSONSchemaer is a type that marshals itself and says what JSON it
// writes (money as a decimal string, say), instead of its Go fields.
type JSONSchemaer interface{ JSONSchema() map[string]any }

func schemaFor(t reflect.Type, seen map[reflect.Type]bool) map[string]any {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(schemaType) {
		return reflect.Zero(t).Interface().(JSONSchemaer).JSONSchema()
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawJSONType:
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": schemaFor(t.Elem(), seen)}
	case reflect.Map:
		s := map[string]any{"type": "object"}
		if t.Elem().Kind() != reflect.Interface {
			s["additionalProperties"] = schemaFor(t.Elem(), seen)
		}
		return s
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		if seen[t] {
			panic(fmt.Sprintf("mcpkit: recursive type %v in a tool schema", t))
		}
		seen[t] = true
		defer delete(seen, t)
		props := map[string]any{}
		var required []string
		for _, f := range fields(t) {
			p := schemaFor(f.Type, seen)
			if d := f.Tag.Get("desc"); d != "" {
				p["description"] = d
			}
			if e := f.Tag.Get("enum"); e != "" {
				p["enum"] = strings.Split(e, "|")
			}
			if d := f.Tag.Get("default"); d != "" {
				var v any
				if err := json.Unmarshal([]byte(d), &v); err != nil {
					panic(fmt.Sprintf("mcpkit: %v.%s: default %q is not JSON", t, f.Name, d))
				}
				p["default"] = v
			}
			if m := f.Tag.Get("minimum"); m != "" {
				v, err := strconv.ParseFloat(m, 64)
				if err != nil {
					panic(fmt.Sprintf("mcpkit: %v.%s: minimum %q is not a number", t, f.Name, m))
				}
				p["minimum"] = v
			}
			for _, bound := range []string{"maximum", "maxLength", "maxItems"} {
				if m := f.Tag.Get(bound); m != "" {
					v, err := strconv.ParseFloat(m, 64)
					if err != nil {
						panic(fmt.Sprintf("mcpkit: %v.%s: %s %q is not a number", t, f.Name, bound, m))
					}
					p[bound] = v
				}
			}
			props[f.name] = p
			if f.required {
				required = append(required, f.name)
			}
		}
		// Unknown properties are refused by decodeArgs with a clear error;
		// additionalProperties: false would only repeat that at a cost per tool.
		s := map[string]any{"type": "object", "properties": props}
		if len(required) > 0 {
			s["required"] = required
		}
		return s
	}
	panic(fmt.Sprintf("mcpkit: type %v cannot be described by a JSON schema", t))
}

type field struct {
	reflect.StructField
	name     string
	required bool
}

// fields lists the JSON-visible fields of a struct type, in declaration order.
func fields(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		// An untagged embedded struct's fields are the outer struct's, as
		// encoding/json sees them.
		if name == "" && f.Anonymous && f.Type.Kind() == reflect.Struct {
			for _, inner := range fields(f.Type) {
				inner.Index = append([]int{i}, inner.Index...)
				out = append(out, inner)
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		optional := strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,")
		out = append(out, field{StructField: f, name: name, required: !optional})
	}
	return out
}
