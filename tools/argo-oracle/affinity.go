package main

// The injected anti-affinity of spec.strategy.canary.antiAffinity (utils/replicaset):
//
//	{"op":"replicaSetAffinity","rollout":{...},"liveAffinity":{...}}
//	  -> {"affinity":{...},"needsUpdate":B}
//
// affinity is GenerateReplicaSetAffinity(rollout): what a new ReplicaSet's template gets, from
// spec.template.spec.affinity, spec.strategy.canary.antiAffinity, metadata.namespace and
// status.stableRS; needsUpdate is IfInjectedAntiAffinityRuleNeedsUpdate(liveAffinity, rollout).

import (
	"fmt"

	replicasetutil "github.com/argoproj/argo-rollouts/utils/replicaset"
)

func replicaSetAffinity(req request) answer {
	if req.Rollout == nil {
		return failed(fmt.Errorf("oracle: replicaSetAffinity needs a rollout"))
	}
	affinity := replicasetutil.GenerateReplicaSetAffinity(*req.Rollout)
	needsUpdate := replicasetutil.IfInjectedAntiAffinityRuleNeedsUpdate(req.LiveAffinity, *req.Rollout)
	return answer{Affinity: affinity, NeedsUpdate: &needsUpdate}
}
