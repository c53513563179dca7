// argo-oracle answers questions with Argo Rollouts' own code (v1.10.2, pinned by go.mod), so the
// TypeScript tests can compare our decisions with Argo's case by case. It reads one JSON case per line
// on stdin and writes one JSON answer per line on stdout, in order:
//
//	{"op":"condition","condition":"result[0] > 0.9","result":{"type":"vector","value":[0.95]}}
//	  -> {"verdict":true} or {"error":"..."}                   (utils/evaluate.EvalCondition)
//	{"op":"basicCanary","rollout":{...},"newRS":{...},"stableRS":{...},"oldRSs":[...]}
//	  -> {"canary":N,"stable":N}                                (utils/replicaset, no traffic routing)
//	{"op":"atDesiredCanary","rollout":{...},"newRS":{...},"stableRS":{...},"oldRSs":[...]}
//	  -> {"verdict":true|false}                               (AtDesiredReplicaCountsForCanary, no router:
//	                                                            is a basic canary's step at its counts)
//	{"op":"trafficRoutedCanary","rollout":{...},"newRS":{...},"stableRS":{...},"weights":{...}}
//	  -> {"canary":N,"stable":N}                                (utils/replicaset, traffic routing)
//	{"op":"flatten","templates":[...],"clusterTemplates":[...],"args":[...]}
//	  -> {"metrics":[...],"args":[...],"dryRun":{...},"retention":{...}} or {"error":"..."}
//	     (utils/analysis.NewAnalysisRunFromTemplates, then GetDryRunMetrics and
//	     GetMeasurementRetentionMetrics as the analysis controller applies the run's rules)
//	{"op":"replicaSetAffinity","rollout":{...},"liveAffinity":{...}}
//	  -> {"affinity":{...},"needsUpdate":B}                     (affinity.go)
//	{"op":"podTemplateDefaults","template":{...}}  -> {"template":{...}}
//	{"op":"podTemplateEqual","live":{...},"desired":{...}}  -> {"verdict":B}
//	{"op":"podTemplateSchema"}  -> {"schema":{...}}           (pod-template.go)
//
// NaN and ±Inf travel as {"$float":"NaN"|"+Inf"|"-Inf"}, as in our workflow histories.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"

	"github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
	analysisutil "github.com/argoproj/argo-rollouts/utils/analysis"
	"github.com/argoproj/argo-rollouts/utils/evaluate"
	replicasetutil "github.com/argoproj/argo-rollouts/utils/replicaset"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

type metricResult struct {
	// "scalar" (Prometheus scalar: float64), "vector" (Prometheus vector: []float64),
	// "json" (the web provider: what encoding/json gives), "nil".
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

type replicaSet struct {
	Replicas          int32 `json:"replicas"`
	AvailableReplicas int32 `json:"availableReplicas"`
}

type request struct {
	Op        string                   `json:"op"`
	Condition string                   `json:"condition"`
	Result    metricResult             `json:"result"`
	Rollout   *v1alpha1.Rollout        `json:"rollout"`
	NewRS     *replicaSet              `json:"newRS"`
	StableRS  *replicaSet              `json:"stableRS"`
	OldRSs    []replicaSet             `json:"oldRSs"`
	Weights   *v1alpha1.TrafficWeights `json:"weights"`

	Templates        []*v1alpha1.AnalysisTemplate        `json:"templates"`
	ClusterTemplates []*v1alpha1.ClusterAnalysisTemplate `json:"clusterTemplates"`
	Args             []v1alpha1.Argument                 `json:"args"`
	// The Rollout's own analysis rules (RolloutAnalysis.dryRun, .measurementRetention).
	DryRun               []v1alpha1.DryRun               `json:"dryRun"`
	MeasurementRetention []v1alpha1.MeasurementRetention `json:"measurementRetention"`

	LiveAffinity *corev1.Affinity `json:"liveAffinity"` // replicaSetAffinity (affinity.go)

	// podTemplateDefaults, podTemplateEqual (pod-template.go)
	Template *corev1.PodTemplateSpec `json:"template"`
	Live     *corev1.PodTemplateSpec `json:"live"`
	Desired  *corev1.PodTemplateSpec `json:"desired"`
}

type answer struct {
	Verdict *bool   `json:"verdict,omitempty"`
	Error   *string `json:"error,omitempty"`
	Canary  *int32  `json:"canary,omitempty"`
	Stable  *int32  `json:"stable,omitempty"`

	Metrics   []string            `json:"metrics,omitempty"`
	Args      []v1alpha1.Argument `json:"args,omitempty"`
	DryRun    map[string]bool     `json:"dryRun,omitempty"`
	Retention map[string]int32    `json:"retention,omitempty"`

	Affinity    *corev1.Affinity `json:"affinity,omitempty"` // replicaSetAffinity (affinity.go)
	NeedsUpdate *bool            `json:"needsUpdate,omitempty"`

	Template *corev1.PodTemplateSpec `json:"template,omitempty"` // podTemplateDefaults (pod-template.go)
	Schema   map[string]string       `json:"schema,omitempty"`   // podTemplateSchema
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for in.Scan() {
		var req request
		var ans answer
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			ans = failed(fmt.Errorf("oracle: bad case: %w", err))
		} else {
			ans = answerOf(req)
		}
		if err := enc.Encode(ans); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func failed(err error) answer {
	text := err.Error()
	return answer{Error: &text}
}

// answerOf runs one case; a panic in Argo's code (e.g. asInt of a bad string) is an error answer,
// as Argo's expr runtime turns it into one.
func answerOf(req request) (ans answer) {
	defer func() {
		if r := recover(); r != nil {
			ans = failed(fmt.Errorf("panic: %v", r))
		}
	}()
	switch req.Op {
	case "condition":
		value, err := decodeResult(req.Result)
		if err != nil {
			return failed(err)
		}
		verdict, err := evaluate.EvalCondition(value, req.Condition)
		if err != nil {
			return failed(err)
		}
		return answer{Verdict: &verdict}
	case "basicCanary", "trafficRoutedCanary":
		if req.Rollout == nil {
			return failed(fmt.Errorf("oracle: %s needs a rollout", req.Op))
		}
		newRS, stableRS := toRS("new", req.NewRS), toRS("stable", req.StableRS)
		var canary, stable int32
		if req.Op == "basicCanary" {
			old := make([]*appsv1.ReplicaSet, 0, len(req.OldRSs))
			for i := range req.OldRSs {
				old = append(old, toRS(fmt.Sprintf("old%d", i), &req.OldRSs[i]))
			}
			canary, stable = replicasetutil.CalculateReplicaCountsForBasicCanary(req.Rollout, newRS, stableRS, old)
		} else {
			canary, stable = replicasetutil.CalculateReplicaCountsForTrafficRoutedCanary(req.Rollout, newRS, stableRS, req.Weights)
		}
		return answer{Canary: &canary, Stable: &stable}
	case "atDesiredCanary":
		if req.Rollout == nil {
			return failed(fmt.Errorf("oracle: %s needs a rollout", req.Op))
		}
		old := make([]*appsv1.ReplicaSet, 0, len(req.OldRSs))
		for i := range req.OldRSs {
			old = append(old, toRS(fmt.Sprintf("old%d", i), &req.OldRSs[i]))
		}
		verdict := replicasetutil.AtDesiredReplicaCountsForCanary(req.Rollout, toRS("new", req.NewRS), toRS("stable", req.StableRS), old, nil)
		return answer{Verdict: &verdict}
	case "flatten":
		return flatten(req)
	case "replicaSetAffinity":
		return replicaSetAffinity(req)
	case "podTemplateDefaults":
		return podTemplateDefaults(req)
	case "podTemplateEqual":
		return podTemplateEqual(req)
	case "podTemplateSchema":
		return podTemplateSchema()
	default:
		return failed(fmt.Errorf("oracle: unknown op %q", req.Op))
	}
}

// flatten builds the AnalysisRun of a Rollout's templates (nested ones already listed, in the order
// the controller's getAnalysisTemplatesFromRefs gives them) with the Rollout's args and its own dryRun
// and measurementRetention rules, as the rollout controller's newAnalysisRunFromRollout, and applies the
// run's dryRun and measurementRetention rules to its metrics as the analysis controller does.
func flatten(req request) answer {
	run, err := analysisutil.NewAnalysisRunFromTemplates(req.Templates, req.ClusterTemplates, req.Args,
		req.DryRun, req.MeasurementRetention, map[string]string{}, map[string]string{}, "run", "", "ns")
	if err != nil {
		return failed(err)
	}
	dryRun, err := analysisutil.GetDryRunMetrics(run.Spec.DryRun, run.Spec.Metrics)
	if err != nil {
		return failed(err)
	}
	rules, err := analysisutil.GetMeasurementRetentionMetrics(run.Spec.MeasurementRetention, run.Spec.Metrics)
	if err != nil {
		return failed(err)
	}
	ans := answer{Args: run.Spec.Args, DryRun: dryRun, Retention: map[string]int32{}}
	for _, metric := range run.Spec.Metrics {
		ans.Metrics = append(ans.Metrics, metric.Name)
	}
	for name, rule := range rules {
		ans.Retention[name] = rule.Limit
	}
	return ans
}

// toRS makes the ReplicaSet Argo's replica math reads: its name (the pod-template hash tells new
// from stable), spec.replicas and status.availableReplicas.
func toRS(name string, rs *replicaSet) *appsv1.ReplicaSet {
	if rs == nil {
		return nil
	}
	replicas := rs.Replicas
	out := &appsv1.ReplicaSet{}
	out.Name = name
	out.Labels = map[string]string{v1alpha1.DefaultRolloutUniqueLabelKey: name}
	out.Spec.Replicas = &replicas
	out.Status.Replicas = rs.Replicas
	out.Status.AvailableReplicas = rs.AvailableReplicas
	out.Status.ReadyReplicas = rs.AvailableReplicas
	return out
}

// decodeResult gives the value in the Go type Argo's provider would hand to the evaluator.
func decodeResult(r metricResult) (any, error) {
	switch r.Type {
	case "nil":
		return nil, nil
	case "scalar":
		var v any
		if err := json.Unmarshal(r.Value, &v); err != nil {
			return nil, err
		}
		f, ok := untag(v).(float64)
		if !ok {
			return nil, fmt.Errorf("oracle: scalar is not a number: %s", r.Value)
		}
		return f, nil
	case "vector":
		var items []any
		if err := json.Unmarshal(r.Value, &items); err != nil {
			return nil, err
		}
		out := make([]float64, 0, len(items))
		for _, item := range items {
			f, ok := untag(item).(float64)
			if !ok {
				return nil, fmt.Errorf("oracle: vector item is not a number: %v", item)
			}
			out = append(out, f)
		}
		return out, nil
	case "json":
		var v any
		if err := json.Unmarshal(r.Value, &v); err != nil {
			return nil, err
		}
		return untag(v), nil
	default:
		return nil, fmt.Errorf("oracle: unknown result type %q", r.Type)
	}
}

// untag turns {"$float":"NaN"|"+Inf"|"-Inf"} back into floats, at any depth.
func untag(v any) any {
	switch x := v.(type) {
	case []any:
		for i := range x {
			x[i] = untag(x[i])
		}
		return x
	case map[string]any:
		if tag, ok := x["$float"].(string); ok && len(x) == 1 {
			switch tag {
			case "NaN":
				return math.NaN()
			case "+Inf":
				return math.Inf(1)
			case "-Inf":
				return math.Inf(-1)
			}
		}
		for k := range x {
			x[k] = untag(x[k])
		}
		return x
	default:
		return v
	}
}
