// The normalized, immutable cluster state: only what analysis needs, never a secret value.

export interface SourceRef {
  file: string;
  line: number | null;
}

export interface PolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values: string[];
}

export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: LabelSelectorRequirement[];
}

export interface Role {
  id: string;
  kind: 'Role' | 'ClusterRole';
  name: string;
  namespace: string | null;
  labels: Record<string, string>;
  rules: PolicyRule[];
  /** ClusterRoles only: `aggregationRule.clusterRoleSelectors`; null when not aggregated. */
  aggregationSelectors: LabelSelector[] | null;
}

export interface Subject {
  kind: string;
  name: string;
  /** As written; a RoleBinding's ServiceAccount subject without one defaults at match time. */
  namespace: string | null;
}

export interface RoleRef {
  kind: string;
  name: string;
}

export interface Binding {
  id: string;
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  name: string;
  namespace: string | null;
  labels: Record<string, string>;
  roleRef: RoleRef;
  subjects: Subject[];
}

export interface ServiceAccount {
  id: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** Only the annotations analysis reads (cloud identity). */
  annotations: Record<string, string>;
  automountServiceAccountToken: boolean | null;
}

export interface HostPathVolume {
  path: string;
  type: string | null;
}

export interface Volume {
  name: string;
  hostPath: HostPathVolume | null;
  /** Secrets referenced by a `secret` volume or a `projected` volume's secret sources. */
  secrets: string[];
  persistentVolumeClaim: string | null;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly: boolean;
}

export interface Container {
  name: string;
  kind: 'container' | 'initContainer' | 'ephemeralContainer';
  image: string;
  privileged: boolean;
  allowPrivilegeEscalation: boolean | null;
  capabilitiesAdd: string[];
  volumeMounts: VolumeMount[];
  /** Secrets named by `env[].valueFrom.secretKeyRef` and `envFrom[].secretRef`. */
  envSecrets: string[];
}

export interface PodSpec {
  serviceAccountName: string;
  automountServiceAccountToken: boolean | null;
  nodeName: string | null;
  hostPID: boolean;
  hostNetwork: boolean;
  hostIPC: boolean;
  containers: Container[];
  volumes: Volume[];
  imagePullSecrets: string[];
  nodeSelector: Record<string, string>;
}

export interface Pod {
  id: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** The controlling owner's ID (e.g. `ReplicaSet:ns/x`), when any. */
  owner: string | null;
  spec: PodSpec;
}

export const WORKLOAD_KINDS = ['CronJob', 'DaemonSet', 'Deployment', 'Job', 'ReplicaSet', 'ReplicationController', 'StatefulSet'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** A workload object, counted through its pod template. ID `Deployment:ns/name`. */
export interface Workload {
  id: string;
  kind: WorkloadKind;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  owner: string | null;
  template: PodSpec;
}

export interface Secret {
  id: string;
  name: string;
  namespace: string;
  /**
   * The secret's type when it matters to analysis: `kubernetes.io/service-account-token`, else null.
   * (A metadata-only list from the API carries no type; token secrets are listed apart, so this is
   * the one type both a dump and a live scan know. Keeping only it keeps their hashes equal.)
   */
  type: string | null;
  labels: Record<string, string>;
  /** All annotations except `kubectl.kubernetes.io/last-applied-configuration` (it holds the values). */
  annotations: Record<string, string>;
  owner: string | null;
}

export interface Taint {
  key: string;
  value: string | null;
  effect: string;
}

export interface Node {
  id: string;
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  unschedulable: boolean;
}

export interface Namespace {
  id: string;
  name: string;
  labels: Record<string, string>;
}

export interface PersistentVolume {
  id: string;
  name: string;
  hostPath: string | null;
  /** `ns/name` of the claim bound to it, when any. */
  claimRef: string | null;
}

export interface PersistentVolumeClaim {
  id: string;
  name: string;
  namespace: string;
  volumeName: string | null;
}

export interface WebhookConfiguration {
  id: string;
  kind: 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration';
  name: string;
  webhooks: number;
}

export interface NetworkPolicy {
  id: string;
  name: string;
  namespace: string;
  podSelector: LabelSelector;
  policyTypes: string[];
}

/** EKS `kube-system/aws-auth`: IAM roles and users mapped to Kubernetes users and groups. */
export interface AwsAuthMapping {
  arn: string;
  username: string;
  groups: string[];
}

export interface AwsAuth {
  mapRoles: AwsAuthMapping[];
  mapUsers: AwsAuthMapping[];
}

export type CoverageStatus = 'forbidden' | 'not-found' | 'error' | 'skipped';

/** A kind the collector could not read: the answers that depend on it may be incomplete. */
export interface CoverageGap {
  kind: string;
  status: CoverageStatus;
  message: string;
}

export interface SnapshotObjects {
  namespaces: Namespace[];
  nodes: Node[];
  serviceAccounts: ServiceAccount[];
  pods: Pod[];
  workloads: Workload[];
  secrets: Secret[];
  roles: Role[];
  bindings: Binding[];
  persistentVolumes: PersistentVolume[];
  persistentVolumeClaims: PersistentVolumeClaim[];
  webhookConfigurations: WebhookConfiguration[];
  networkPolicies: NetworkPolicy[];
  awsAuth: AwsAuth | null;
}

export interface Snapshot extends SnapshotObjects {
  /** sha256 of the canonical JSON of the objects and coverage (see hash.ts). */
  readonly hash: string;
  coverage: CoverageGap[];
  /** Not hashed: where each object came from (file and line), and facts about the source. */
  sources: ReadonlyMap<string, SourceRef>;
  kubernetesVersion: string | null;
}

export const OBJECT_COLLECTIONS = [
  'namespaces', 'nodes', 'serviceAccounts', 'pods', 'workloads', 'secrets', 'roles', 'bindings',
  'persistentVolumes', 'persistentVolumeClaims', 'webhookConfigurations', 'networkPolicies',
] as const;
export type ObjectCollection = (typeof OBJECT_COLLECTIONS)[number];
