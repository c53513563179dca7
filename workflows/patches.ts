// The ids of every `patched()` change, in one place: each is a change that running rollouts see, so
// histories recorded before it replay the old way (test/replay). An id is kept as long as such
// histories may exist, and never renamed.

/** Weight steps, the promotion and the abort put back a Service selector someone else changed. */
export const RESTORE_SELECTORS = 'restore-service-selectors';

/** Old ReplicaSets at zero beyond the history limit are pruned at the promotion, as Argo does. */
export const PRUNE_ON_PROMOTION = 'prune-on-promotion';

/** An Error measurement never counts toward an AnalysisRun's `count` (issue 11, defect 1). */
export const ANALYSIS_ERRORS_NOT_COUNTED = 'analysis-errors-not-counted';

/** Conditions are type-checked and judged as Argo's expr-lang does (issue 11, the condition language). */
export const CONDITIONS_AS_ARGO = 'conditions-as-argo';

/** Without a traffic router an abort scales the canary down at once, as Argo (issue 11, item 5). */
export const ABORT_BASIC_CANARY_AT_ONCE = 'abort-basic-canary-at-once';

/** A promote skips a running analysis step, terminating its run, as Argo's (issue 11, item 5). */
export const PROMOTE_SKIPS_ANALYSIS_STEP = 'promote-skips-analysis-step';

/**
 * An Inconclusive background run pauses the rollout after its last step too, and a promote of that
 * pause starts a new background run, as Argo's needsNewAnalysisRun (issue 11, item 2).
 */
export const BACKGROUND_INCONCLUSIVE_AS_ARGO = 'background-inconclusive-as-argo';

/**
 * dynamicStableScale as Argo (issue 11, item 4): an abort or a newer revision moves traffic back to
 * the stable only once it is scaled up and available; a promotion scales the old stable down at once.
 */
export const DYNAMIC_STABLE_SCALE_AS_ARGO = 'dynamic-stable-scale-as-argo';

/** With dynamicStableScale the stable is sized by the canary's setCanaryScale too, as Argo (issue 11). */
export const STABLE_FOLLOWS_CANARY_SCALE = 'stable-follows-canary-scale';

/** The Lock lets one job in at a time, also when several wake in one activation (it let them all in). */
export const LOCK_ONE_AT_A_TIME = 'lock-one-at-a-time';

/**
 * A due time set in an earlier workflow task (a delayed scale-down, an AnalysisRun's next measurement)
 * is always waited for with a timer, so the commands never depend on the clock a task is handed.
 */
export const DUE_TIMES_ALWAYS_TIMED = 'due-times-always-timed';

/**
 * A run's dryRun and measurementRetention rules match metric names as Argo's (a Go regular expression
 * found anywhere in the name; `*` matches nothing), the Rollout's own rules merged first (issue 11).
 */
export const ANALYSIS_RULES_AS_ARGO = 'analysis-rules-as-argo';

/**
 * spec.strategy.canary.antiAffinity as Argo's (issue 11): a new ReplicaSet's pod template avoids the
 * stable's pods (core/affinity.ts). Only definitions with antiAffinity reach it.
 */
export const INJECTED_ANTI_AFFINITY = 'injected-anti-affinity';

/**
 * spec.strategy.canary.scaleDownDelayRevisionLimit as Argo's (issue 11): old ReplicaSets waiting for
 * their delayed scale-down beyond the limit go at once (core/scale-down-limit.ts). Only definitions with
 * the limit reach it.
 */
export const SCALE_DOWN_REVISION_LIMIT = 'scale-down-delay-revision-limit';

/**
 * Without a router a weight step and the promotion scale in rounds within maxSurge and maxUnavailable
 * (25% each unless set), as Argo's basic canary (issue 11); runs begun before scaled at once.
 */
export const BASIC_CANARY_SURGE = 'basic-canary-surge';

/**
 * canaryMetadata and stableMetadata on the pods of each role, as Argo's ephemeral metadata (issue 11):
 * only rollouts that configure them call patched() with it (workflows/pod-metadata.ts).
 */
export const EPHEMERAL_POD_METADATA = 'ephemeral-pod-metadata';

/**
 * spec.rollbackWindow (issue 11): a rollback to one of the last N revisions skips the steps and their
 * analysis and is promoted fully, as Argo's isRollbackWithinWindow.
 */
export const ROLLBACK_WINDOW = 'rollback-window';

/** spec.restartAt (issue 11): pods created before it are evicted as Argo's pod restarter does. */
export const POD_RESTART = 'pod-restart';

/**
 * A rollout driven by its Rollout object writes its state back onto the object's status, in Argo's
 * shape, at every change (issue 12): only rollouts with a Rollout object reach it.
 */
export const CLUSTER_STATUS = 'cluster-status';

/**
 * A change of spec.replicas (an HPA, `kubectl scale` through the scale subresource) rescales the stable
 * and the canary of a canary in flight, or the stable of an aborted one, for the weight they are at,
 * without a new revision and without waiting for the next step (issue 12, item 8).
 */
export const RESCALE_IN_FLIGHT = 'rescale-in-flight';

/**
 * A change of spec.replicas rescales a canary without a router (Argo's basic canary) at once, at a
 * pause or analysis step, in rounds within maxSurge and maxUnavailable for the weight it is at, as
 * Argo's reconcile does; runs begun before left it to the next weight step (workflows/rescale.ts).
 */
export const RESCALE_BASIC_CANARY = 'rescale-basic-canary';

/**
 * An AnalysisRun of a rollout driven by its Rollout object mirrors itself into an AnalysisRun object,
 * in Argo's shape, at every change (issue 12): only runs given the object to mirror to reach it.
 */
export const ANALYSIS_RUN_OBJECT = 'analysis-run-object';

/**
 * A new template that makes the pods of one of the rollout's ReplicaSets once Kubernetes' defaults are
 * applied (the plugin's undo copies a ReplicaSet's server-defaulted template back) is that ReplicaSet's
 * revision, as Argo's FindNewReplicaSet decides (issue 12): an undo to the stable skips the steps.
 */
export const TEMPLATE_MATCHES_REPLICA_SET = 'template-matches-replica-set';

/**
 * A deploy back to the stable's template while aborted counts every step as done (Argo's "Rollback to
 * stable ReplicaSets": step 8/8, not 0/8), as a canary abandoned in flight already did (issue 12).
 */
export const BACK_TO_STABLE_FINISHES_STEPS = 'back-to-stable-finishes-steps';

/**
 * What `rollouts list` shows (phase, step, canary weight, message) is upserted into the memo's `summary`
 * whenever it changes (issue 13), so the list is one visibility call (workflows/search-attributes.ts).
 */
export const LIST_SUMMARY_MEMO = 'list-summary-memo';

/**
 * A weight step whose canary already had its pods (the count unchanged) is one activity: a look at the
 * pods, both selectors put back, the weight (issue 13: promote → weight). Runs begun before waited for
 * the pods, pointed each Service and wrote the weight, each a task of its own.
 */
export const WEIGHT_STEP_ONE_ACTIVITY = 'weight-step-one-activity';
