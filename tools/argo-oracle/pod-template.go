package main

// Which pod template is a ReplicaSet's (utils/replicaset.FindNewReplicaSet), and what the defaulting
// it relies on does:
//
//	{"op":"podTemplateDefaults","template":{...}}
//	  -> {"template":{...}}      (k8s.io/kubernetes/pkg/apis/core/v1.SetObjectDefaults_PodTemplate)
//	{"op":"podTemplateEqual","live":{...},"desired":{...}}
//	  -> {"verdict":B}           (replicasetutil.PodTemplateEqualIgnoreHash(live, desired))
//	{"op":"podTemplateSchema"}
//	  -> {"schema":{"TypeName":"field:kind ...",...}}
//
// The schema is how Go sees a PodTemplateSpec's JSON, per struct type reachable from it (json names,
// inline structs flattened, in field order). A kind is "-" (a string, number or bool), "q"
// (resource.Quantity), "i" (intstr.IntOrString), "t" (metav1.Time), "raw" (another type with its own
// JSON decoding), a struct's type name, "*K" (a pointer to K), "[]K" (a slice) or "{}K" (a map with
// string keys). It is what tells a Go zero value that equals an absent field ("-", a struct, a slice,
// a map) from one that does not ("*K"), which core/pod-template-defaults.ts must know to normalise a
// template as apiequality.Semantic.DeepEqual compares it.

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	replicasetutil "github.com/argoproj/argo-rollouts/utils/replicaset"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	corev1defaults "k8s.io/kubernetes/pkg/apis/core/v1"
)

func podTemplateDefaults(req request) answer {
	if req.Template == nil {
		return failed(fmt.Errorf("oracle: podTemplateDefaults needs a template"))
	}
	// The same wrapping as PodTemplateEqualIgnoreHash's, so the same generated defaulter runs.
	podTemplate := corev1.PodTemplate{Template: *req.Template}
	corev1defaults.SetObjectDefaults_PodTemplate(&podTemplate)
	return answer{Template: &podTemplate.Template}
}

func podTemplateEqual(req request) answer {
	if req.Live == nil || req.Desired == nil {
		return failed(fmt.Errorf("oracle: podTemplateEqual needs live and desired"))
	}
	verdict := replicasetutil.PodTemplateEqualIgnoreHash(req.Live, req.Desired)
	return answer{Verdict: &verdict}
}

var (
	quantityType    = reflect.TypeFor[resource.Quantity]()
	intOrStringType = reflect.TypeFor[intstr.IntOrString]()
	timeType        = reflect.TypeFor[metav1.Time]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

func podTemplateSchema() answer {
	schema := map[string]string{}
	seen := map[string]reflect.Type{}
	var kindOf func(t reflect.Type) string
	var fieldsOf func(t reflect.Type) []string
	fieldsOf = func(t reflect.Type) []string {
		var fields []string
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			// encoding/json inlines an embedded struct without a JSON name (k8s tags them ",inline").
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				fields = append(fields, fieldsOf(f.Type)...)
				continue
			}
			if name == "" {
				name = f.Name
			}
			fields = append(fields, name+":"+kindOf(f.Type))
		}
		return fields
	}
	kindOf = func(t reflect.Type) string {
		switch t {
		case quantityType:
			return "q"
		case intOrStringType:
			return "i"
		case timeType:
			return "t"
		}
		if t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(unmarshalerType) {
			return "raw"
		}
		switch t.Kind() {
		case reflect.Pointer:
			return "*" + kindOf(t.Elem())
		case reflect.Slice:
			return "[]" + kindOf(t.Elem())
		case reflect.Map:
			if t.Key().Kind() != reflect.String {
				panic(fmt.Sprintf("map key %s", t))
			}
			return "{}" + kindOf(t.Elem())
		case reflect.String, reflect.Bool, reflect.Int, reflect.Int32, reflect.Int64, reflect.Float64:
			return "-"
		case reflect.Struct:
			name := t.Name()
			if other, ok := seen[name]; ok {
				if other != t {
					panic(fmt.Sprintf("two struct types named %s: %s and %s", name, other.PkgPath(), t.PkgPath()))
				}
				return name
			}
			seen[name] = t
			schema[name] = "" // a recursive type stops here
			schema[name] = strings.Join(fieldsOf(t), " ")
			return name
		default:
			panic(fmt.Sprintf("unexpected kind %s of %s", t.Kind(), t))
		}
	}
	kindOf(reflect.TypeFor[corev1.PodTemplateSpec]())
	return answer{Schema: schema}
}
