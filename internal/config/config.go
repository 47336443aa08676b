// Package config loads opsmcp.yaml: the policy every server and the CLI obey.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// Mode decides what mutating tools may do.
type Mode string

const (
	ModeReadOnly Mode = "read-only" // only read tools are listed
	ModePlan     Mode = "plan"      // mutating tools plan or dry-run
	ModeApply    Mode = "apply"     // mutations allowed inside the allowlists
)

// ParseMode checks a mode name.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.TrimSpace(s)); m {
	case ModeReadOnly, ModePlan, ModeApply:
		return m, nil
	}
	return "", fmt.Errorf("mode %q is not one of read-only, plan, apply", s)
}

// Duration is a time.Duration written as "1h", "30m" in YAML.
type Duration time.Duration

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration must be a string such as \"1h\" or \"30m\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("duration %q: want a duration such as \"1h\" or \"30m\"", s)
	}
	*d = Duration(v)
	return nil
}

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// Config is the whole of opsmcp.yaml. Keys are an interface users depend on.
type Config struct {
	Mode   Mode   `json:"mode,omitempty"`
	Memory string `json:"memory,omitempty"`
	// MemoryMaxEntryBytes refuses memory entries with more data (default 256 KiB).
	MemoryMaxEntryBytes int        `json:"memory_max_entry_bytes,omitempty"`
	Terraform           Terraform  `json:"terraform"`
	Kubernetes          Kubernetes `json:"kubernetes"`
	Tools               Tools      `json:"tools"`
	Cache               Cache      `json:"cache"`
	Cost                Cost       `json:"cost"`
	Cloud               Cloud      `json:"cloud"`
	GitHub              GitHub     `json:"github"`
	// Experts are the models the orchestrator consults beside the built-in
	// rules expert.
	Experts []Expert `json:"experts,omitempty"`
	HTTP    HTTP     `json:"http"`
	// ReadPaths are the roots every path a tool reads must lie under
	// (after symlink resolution); default: the config file's directory and
	// every terraform workspace.
	ReadPaths []string `json:"read_paths,omitempty"`
	Limits    Limits   `json:"limits"`

	// Path is the file the config was read from ("" for built-in defaults).
	Path string `json:"-"`
	// RoleTools are the tool lists of the HTTP role a principal works
	// under, checked after the file's (ForRole sets them).
	RoleTools *Tools `json:"-"`
	// Role is the role this configuration was narrowed to (nil: the file's).
	Role *Role `json:"-"`
}

// Limits is the limits: section: what one call may cost.
type Limits struct {
	// MaxInputBytes bounds every file a tool reads (default 16 MiB).
	MaxInputBytes int64 `json:"max_input_bytes,omitempty"`
	// HeavyCalls is how many heavy calls (validation, estimates) run at
	// once in a process (default: the number of CPUs).
	HeavyCalls int `json:"heavy_calls,omitempty"`
}

// DefaultMaxInputBytes is limits.max_input_bytes' default.
const DefaultMaxInputBytes = 16 << 20

// ReadRoots are the roots tools may read under: read_paths, else the
// config file's directory and every workspace.
func (c *Config) ReadRoots() []string {
	if c.ReadPaths != nil {
		return c.ReadPaths
	}
	return append([]string{c.Dir()}, c.Terraform.Workspaces...)
}

// Terraform is the terraform: section.
type Terraform struct {
	Binary     string   `json:"binary,omitempty"`
	Workspaces []string `json:"workspaces,omitempty"`
	PlanTTL    Duration `json:"plan_ttl,omitempty"`
	// ProviderMirror is where terraform runs on directories that are not
	// ours (validation, saved plans given by path) install providers from
	// instead of the registry: a directory (filesystem mirror) or an
	// https:// network mirror. Implicit local mirrors are never used.
	ProviderMirror string `json:"provider_mirror,omitempty"`
}

// Kubernetes is the kubernetes: section.
type Kubernetes struct {
	// Kubeconfig is the file to read; empty: $KUBECONFIG, else in-cluster.
	Kubeconfig string `json:"kubeconfig,omitempty"`
	// Contexts allowed; empty allows the kubeconfig's current context only.
	Contexts []string `json:"contexts,omitempty"`
	// Namespaces allowed; empty allows all.
	Namespaces []string `json:"namespaces,omitempty"`
}

// Tools is the tools: section.
type Tools struct {
	Allow []string `json:"allow,omitempty"`
	Deny  []string `json:"deny,omitempty"`
}

// Cache is the cache: section: the response cache of read-only tools.
type Cache struct {
	MaxEntries int                 `json:"max_entries,omitempty"` // per process; default 1024
	TTL        map[string]Duration `json:"ttl,omitempty"`         // per tool; "0s" turns caching off
}

// GitHub is the github: section.
type GitHub struct {
	// BaseURL is a GitHub Enterprise Server's URL; empty = github.com.
	BaseURL string `json:"base_url,omitempty"`
	// Repos (owner/name) mutating tools may change; empty = none.
	Repos []string `json:"repos,omitempty"`
}

// HTTP is the http: section: how the streamable HTTP transport lets
// people and CI in.
type HTTP struct {
	Auth HTTPAuth `json:"auth"`
	// Roles set what a principal may do: its mode and tool allowlists.
	Roles map[string]Role `json:"roles,omitempty"`
	// Principals map a principal (a token's name, a JWT's subject) to a
	// role; "*" is every other authenticated principal. Unmapped principals
	// get the file's own mode and tools.
	Principals map[string]string `json:"principals,omitempty"`
	// AllowedOrigins may call from a browser (CORS); a request with any
	// other Origin is refused.
	AllowedOrigins []string `json:"allowed_origins,omitempty"`
	// AllowedHosts are the Host headers accepted (DNS rebinding); empty
	// accepts any Host on non-loopback connections and localhost names on
	// loopback ones.
	AllowedHosts []string `json:"allowed_hosts,omitempty"`
	// RateLimit is per principal: requests a minute (default 100) and burst
	// (default 20).
	RateLimit       RateLimit `json:"rate_limit"`
	MaxRequestBytes int64     `json:"max_request_bytes,omitempty"` // default 4 MiB
	ReadTimeout     Duration  `json:"read_timeout,omitempty"`      // default 30s
	WriteTimeout    Duration  `json:"write_timeout,omitempty"`     // default 0: calls stream as long as they run
	// ShutdownGrace is how long a stopping server lets calls in flight
	// finish (a terraform apply within it is not cut short); default 10m.
	ShutdownGrace Duration `json:"shutdown_grace,omitempty"`
}

// HTTPAuth is http.auth: static bearer tokens, JWTs, or (loopback only)
// none.
type HTTPAuth struct {
	// TokensFile holds "principal=token" lines; $OPSMCP_HTTP_TOKENS
	// ("alice=t1,ci=t2") adds to it. Tokens are kept only as hashes.
	TokensFile string  `json:"tokens_file,omitempty"`
	JWT        *JWTCfg `json:"jwt,omitempty"`
	// Disabled serves without authentication; only on a loopback address.
	Disabled bool `json:"disabled,omitempty"`
	// Resource is this service's URL in its OAuth protected resource
	// metadata (default: from the request); AuthorizationServers are the
	// issuers clients get tokens from.
	Resource             string   `json:"resource,omitempty"`
	AuthorizationServers []string `json:"authorization_servers,omitempty"`
}

// JWTCfg verifies JWTs against a JWKS.
type JWTCfg struct {
	JWKSURL  string `json:"jwks_url"`
	Issuer   string `json:"issuer"`
	Audience string `json:"audience"`
	// PrincipalClaim names the principal (default sub).
	PrincipalClaim string `json:"principal_claim,omitempty"`
}

// Role is one entry of http.roles. A role only narrows the file: its mode
// may not exceed the file's, its tools.allow intersects the file's, its
// tools.deny adds to the file's, and its allowlists, when given, replace
// the file's and must lie within them.
type Role struct {
	Mode  Mode  `json:"mode"`
	Tools Tools `json:"tools"`
	// Workspaces, Namespaces, Repos and ReadPaths replace
	// terraform.workspaces, kubernetes.namespaces, github.repos and
	// read_paths for the role; each must lie within the file's own.
	Workspaces []string `json:"workspaces,omitempty"`
	Namespaces []string `json:"namespaces,omitempty"`
	Repos      []string `json:"repos,omitempty"`
	ReadPaths  []string `json:"read_paths,omitempty"`
}

// modeRank orders modes by what they allow.
var modeRank = map[Mode]int{ModeReadOnly: 0, ModePlan: 1, ModeApply: 2}

// ForRole is the configuration a role's principals work under: the file's,
// narrowed by the role, never widened.
func (c *Config) ForRole(r Role) *Config {
	out := *c
	if r.Mode != "" && modeRank[r.Mode] < modeRank[c.Mode] {
		out.Mode = r.Mode
	}
	// The file's tools: stay; the role's are checked as well (ToolDenied).
	out.RoleTools = &r.Tools
	out.Role = &r
	if r.Workspaces != nil {
		out.Terraform.Workspaces = r.Workspaces
	}
	if r.Namespaces != nil {
		out.Kubernetes.Namespaces = r.Namespaces
	}
	if r.Repos != nil {
		out.GitHub.Repos = r.Repos
	}
	out.ReadPaths = c.ReadRoots()
	if r.ReadPaths != nil {
		out.ReadPaths = r.ReadPaths
	}
	return &out
}

// ToolDenied says why the file's tools: (and a role's) do not permit a
// tool, or "" when they do: a tool must pass both lists of both.
func (c *Config) ToolDenied(name string) string {
	check := func(t Tools, deny, allow string) string {
		if slices.Contains(t.Deny, name) {
			return fmt.Sprintf("tool %s is denied by %s", name, deny)
		}
		if len(t.Allow) > 0 && !slices.Contains(t.Allow, name) {
			return fmt.Sprintf("tool %s is not in %s", name, allow)
		}
		return ""
	}
	if why := check(c.Tools, "tools.deny in opsmcp.yaml", "tools.allow of opsmcp.yaml"); why != "" {
		return why
	}
	if c.RoleTools != nil {
		return check(*c.RoleTools, "the role's tools.deny (http.roles in opsmcp.yaml)", "the role's tools.allow (http.roles in opsmcp.yaml)")
	}
	return ""
}

// ScopeVisible says whether what memory holds under a scope (a plan, an
// apply, a note) may be shown under this configuration: a role that
// narrows workspaces, repos or namespaces sees only the scopes within its
// own lists (absolute paths are workspaces, owner/name repos, a bare name
// a namespace). Without a role every scope is visible.
func (c *Config) ScopeVisible(scope string) bool {
	r := c.Role
	if r == nil || scope == "" {
		return true
	}
	under := func(p string, roots []string) bool {
		for _, root := range roots {
			if p == root || strings.HasPrefix(p, strings.TrimSuffix(root, "/")+"/") {
				return true
			}
		}
		return false
	}
	switch {
	case filepath.IsAbs(scope):
		return r.Workspaces == nil || under(scope, r.Workspaces)
	case strings.Count(scope, "/") == 1 && !strings.Contains(scope, ":"):
		return r.Repos == nil || slices.Contains(r.Repos, scope)
	case strings.Contains(scope, ":") || strings.Contains(scope, "/"):
		return true // kube:CONTEXT and other qualified scopes
	default:
		return r.Namespaces == nil || slices.Contains(r.Namespaces, scope)
	}
}

// RateLimit is http.rate_limit.
type RateLimit struct {
	PerMinute int `json:"per_minute,omitempty"`
	Burst     int `json:"burst,omitempty"`
}

// Expert is one entry of the experts: section.
type Expert struct {
	Name string `json:"name"`
	// Provider is anthropic, openai, openai-compatible or ollama.
	Provider string `json:"provider"`
	Model    string `json:"model"`
	// BaseURL replaces the provider's API address (required for
	// openai-compatible; ollama defaults to $OLLAMA_HOST, else 127.0.0.1:11434).
	BaseURL string `json:"base_url,omitempty"`
	// APIKeyEnv names the variable holding the key (default ANTHROPIC_API_KEY,
	// OPENAI_API_KEY); the key itself is never in the file.
	APIKeyEnv string   `json:"api_key_env,omitempty"`
	Weight    float64  `json:"weight,omitempty"`  // default 1
	Timeout   Duration `json:"timeout,omitempty"` // default 60s
}

// ExpertProviders are the provider names experts: accepts.
var ExpertProviders = []string{"anthropic", "openai", "openai-compatible", "ollama"}

// Cloud is the cloud: section (the cloud server's allowlists).
type Cloud struct {
	AWS CloudAWS `json:"aws"`
	GCP CloudGCP `json:"gcp"`
}

// CloudAWS: which regions and profiles AWS tools may use.
type CloudAWS struct {
	// Regions allowed; empty allows the credential chain's default region only.
	Regions []string `json:"regions,omitempty"`
	// Profiles a call may name; empty allows the default credential chain only.
	Profiles []string `json:"profiles,omitempty"`
	// Endpoint replaces every AWS endpoint (LocalStack, moto).
	Endpoint string `json:"endpoint,omitempty"`
}

// CloudGCP: which projects GCP tools may read.
type CloudGCP struct {
	// Projects allowed; empty allows none.
	Projects []string `json:"projects,omitempty"`
	// Endpoints replace the APIs' (emulators): compute, storage, billing.
	Endpoints map[string]string `json:"endpoints,omitempty"`
}

// Cost is the cost: section (estimate_costs, opsmcp cost).
type Cost struct {
	// Region prices resources that name none, and Kubernetes pods.
	Region string `json:"region,omitempty"`
	// UsageFile holds usage assumptions (requests, GB...) per resource.
	UsageFile string `json:"usage_file,omitempty"`
	// PriceCache is where `opsmcp prices refresh` writes live prices, which
	// estimates prefer; default $XDG_CACHE_HOME/opsmcp/prices.json.
	PriceCache string         `json:"price_cache,omitempty"`
	Kubernetes CostKubernetes `json:"kubernetes"`
	// IncreaseThreshold: a pending plan that raises the monthly cost by
	// more than this many dollars is a risk the rules expert names
	// (default 100; 0 keeps the default, a negative value turns it off).
	IncreaseThreshold float64 `json:"increase_threshold,omitempty"`
}

// CostKubernetes says how Kubernetes workloads are priced.
type CostKubernetes struct {
	// Pricing is node (default), eks-fargate or gke-autopilot.
	Pricing string `json:"pricing,omitempty"`
	// NodeType is the node pods pay a share of: aws:m5.large (default), gcp:n2-standard-4.
	NodeType string `json:"node_type,omitempty"`
	// Nodes runs one pod of each DaemonSet (default 3).
	Nodes int `json:"nodes,omitempty"`
}

// DefaultPriceCache is $XDG_CACHE_HOME/opsmcp/prices.json (~/.cache/...).
func DefaultPriceCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "opsmcp", "prices.json")
}

// DefaultCostIncreaseThreshold is cost.increase_threshold's default, in
// dollars a month.
const DefaultCostIncreaseThreshold = 100

// DefaultPlanTTL is how long a saved plan may wait to be applied.
const DefaultPlanTTL = time.Hour

// Default returns the built-in configuration used when no file is given.
func Default() *Config {
	return &Config{Mode: ModePlan, Memory: DefaultMemoryPath(), Terraform: Terraform{PlanTTL: Duration(DefaultPlanTTL)}}
}

// DefaultMemoryPath is $XDG_STATE_HOME/opsmcp/memory.db (~/.local/state/...).
func DefaultMemoryPath() string {
	state := os.Getenv("XDG_STATE_HOME")
	if state == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = os.TempDir()
		}
		state = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(state, "opsmcp", "memory.db")
}

// Load reads the config: path if given, else $OPSMCP_CONFIG, else
// ./opsmcp.yaml if it exists, else the defaults. Environment overrides
// (OPSMCP_MODE, OPSMCP_MEMORY, OPSMCP_TERRAFORM) apply in every case.
func Load(path string) (*Config, error) {
	if path == "" {
		path = os.Getenv("OPSMCP_CONFIG")
	}
	if path == "" {
		if _, err := os.Stat("opsmcp.yaml"); err == nil {
			path = "opsmcp.yaml"
		}
	}
	cfg := Default()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if err := yaml.UnmarshalStrict(b, cfg); err != nil {
			return nil, fmt.Errorf("config %s: %s", path, strings.TrimPrefix(err.Error(), "error unmarshaling JSON: while decoding JSON: "))
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, err
		}
		cfg.Path = abs
	}
	if err := cfg.finish(); err != nil {
		if cfg.Path != "" {
			return nil, fmt.Errorf("config %s: %w", cfg.Path, err)
		}
		return nil, err
	}
	return cfg, nil
}

// finish applies env overrides and defaults, and resolves relative paths
// against the config file's directory (or the working directory).
func (c *Config) finish() error {
	if v := os.Getenv("OPSMCP_MODE"); v != "" {
		c.Mode = Mode(v)
	}
	if c.Mode == "" {
		c.Mode = ModePlan
	}
	if _, err := ParseMode(string(c.Mode)); err != nil {
		return err
	}
	if v := os.Getenv("OPSMCP_MEMORY"); v != "" {
		c.Memory = v
	}
	if c.Memory == "" {
		c.Memory = DefaultMemoryPath()
	}
	if c.MemoryMaxEntryBytes < 0 {
		return errors.New("memory_max_entry_bytes must be positive")
	}
	if c.Terraform.Binary == "" {
		c.Terraform.Binary = os.Getenv("OPSMCP_TERRAFORM")
	}
	if c.Terraform.PlanTTL == 0 {
		c.Terraform.PlanTTL = Duration(DefaultPlanTTL)
	}
	if c.Cache.MaxEntries < 0 {
		return errors.New("cache.max_entries must be positive")
	}
	if err := c.HTTP.Check(); err != nil {
		return err
	}
	names := map[string]bool{"rules": true}
	for i, e := range c.Experts {
		switch {
		case e.Name == "":
			return fmt.Errorf("experts[%d] has no name", i)
		case names[e.Name]:
			return fmt.Errorf("experts[%d]: the name %q is taken (rules is the built-in expert)", i, e.Name)
		case !slices.Contains(ExpertProviders, e.Provider):
			return fmt.Errorf("experts[%d] %s: provider %q is not one of %s", i, e.Name, e.Provider, strings.Join(ExpertProviders, ", "))
		case e.Model == "":
			return fmt.Errorf("experts[%d] %s has no model", i, e.Name)
		case e.Provider == "openai-compatible" && e.BaseURL == "":
			return fmt.Errorf("experts[%d] %s: openai-compatible needs base_url (the server's /v1 address)", i, e.Name)
		case e.Weight < 0:
			return fmt.Errorf("experts[%d] %s: weight must not be negative", i, e.Name)
		}
		names[e.Name] = true
	}
	if c.Cost.IncreaseThreshold == 0 {
		c.Cost.IncreaseThreshold = DefaultCostIncreaseThreshold
	}
	k := &c.Cost.Kubernetes
	if k.Pricing == "" {
		k.Pricing = "node"
	}
	switch k.Pricing {
	case "node", "eks-fargate", "gke-autopilot":
	default:
		return fmt.Errorf("cost.kubernetes.pricing %q is not one of node, eks-fargate, gke-autopilot", k.Pricing)
	}
	if k.NodeType == "" {
		k.NodeType = "aws:m5.large"
	}
	if p, _, _ := strings.Cut(k.NodeType, ":"); (p != "aws" && p != "gcp") || !strings.Contains(k.NodeType, ":") {
		return fmt.Errorf("cost.kubernetes.node_type %q: want aws:TYPE or gcp:MACHINE_TYPE, such as aws:m5.large", k.NodeType)
	}
	if k.Nodes < 0 {
		return errors.New("cost.kubernetes.nodes must be positive")
	}
	if k.Nodes == 0 {
		k.Nodes = 3
	}
	for _, list := range [][]string{c.Cloud.AWS.Regions, c.Cloud.AWS.Profiles, c.Cloud.GCP.Projects} {
		for _, v := range list {
			if strings.TrimSpace(v) == "" {
				return errors.New("cloud.aws.regions, cloud.aws.profiles and cloud.gcp.projects may not have empty entries")
			}
		}
	}
	for k := range c.Cloud.GCP.Endpoints {
		switch k {
		case "compute", "storage", "billing":
		default:
			return fmt.Errorf("cloud.gcp.endpoints.%s: only compute, storage and billing can be set", k)
		}
	}
	for _, r := range c.GitHub.Repos {
		if o, n, ok := strings.Cut(r, "/"); !ok || o == "" || n == "" || strings.Contains(n, "/") {
			return fmt.Errorf("github.repos: %q is not owner/name", r)
		}
	}
	base := c.Dir()
	if c.Cost.PriceCache == "" {
		c.Cost.PriceCache = DefaultPriceCache()
	}
	c.Cost.PriceCache = resolve(base, c.Cost.PriceCache)
	if c.HTTP.Auth.TokensFile != "" {
		c.HTTP.Auth.TokensFile = resolve(base, c.HTTP.Auth.TokensFile)
	}
	if c.Cost.UsageFile != "" {
		c.Cost.UsageFile = resolve(base, c.Cost.UsageFile)
	}
	if !strings.Contains(c.Memory, "://") {
		c.Memory = resolve(base, c.Memory)
	}
	for i, w := range c.Terraform.Workspaces {
		if strings.TrimSpace(w) == "" {
			return errors.New("terraform.workspaces has an empty entry")
		}
		c.Terraform.Workspaces[i] = resolve(base, w)
	}
	for i, p := range c.ReadPaths {
		if strings.TrimSpace(p) == "" {
			return errors.New("read_paths has an empty entry")
		}
		c.ReadPaths[i] = resolve(base, p)
	}
	if c.Limits.MaxInputBytes < 0 || c.Limits.HeavyCalls < 0 {
		return errors.New("limits.max_input_bytes and limits.heavy_calls must be positive")
	}
	if c.Limits.MaxInputBytes == 0 {
		c.Limits.MaxInputBytes = DefaultMaxInputBytes
	}
	if c.Limits.HeavyCalls == 0 {
		c.Limits.HeavyCalls = runtime.NumCPU()
	}
	if m := c.Terraform.ProviderMirror; m != "" && !strings.HasPrefix(m, "https://") {
		c.Terraform.ProviderMirror = resolve(base, m)
	}
	if c.Kubernetes.Kubeconfig != "" {
		c.Kubernetes.Kubeconfig = resolve(base, c.Kubernetes.Kubeconfig)
	}
	for _, list := range [][]string{c.Kubernetes.Contexts, c.Kubernetes.Namespaces} {
		for _, v := range list {
			if strings.TrimSpace(v) == "" {
				return errors.New("kubernetes.contexts and kubernetes.namespaces may not have empty entries")
			}
		}
	}
	return c.checkRoles()
}

// Dir is the directory relative paths in the config are resolved against.
func (c *Config) Dir() string {
	if c.Path != "" {
		return filepath.Dir(c.Path)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	return wd
}

func resolve(base, p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[1:])
		}
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(base, p)
	}
	return filepath.Clean(p)
}

// HTTP defaults.
const (
	DefaultRatePerMinute   = 100
	DefaultRateBurst       = 20
	DefaultMaxRequestBytes = 4 << 20
	DefaultReadTimeout     = 30 * time.Second
	DefaultShutdownGrace   = 10 * time.Minute
)

// Check fills in http: defaults and checks the section (Load does it).
func (h *HTTP) Check() error {
	if h.RateLimit.PerMinute == 0 {
		h.RateLimit.PerMinute = DefaultRatePerMinute
	}
	if h.RateLimit.Burst == 0 {
		h.RateLimit.Burst = DefaultRateBurst
	}
	if h.RateLimit.PerMinute < 0 || h.RateLimit.Burst < 0 {
		return errors.New("http.rate_limit: per_minute and burst must be positive")
	}
	if h.MaxRequestBytes == 0 {
		h.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if h.ReadTimeout == 0 {
		h.ReadTimeout = Duration(DefaultReadTimeout)
	}
	if h.ShutdownGrace == 0 {
		h.ShutdownGrace = Duration(DefaultShutdownGrace)
	}
	for name, r := range h.Roles {
		if _, err := ParseMode(string(r.Mode)); err != nil {
			return fmt.Errorf("http.roles.%s: %w", name, err)
		}
	}
	for p, role := range h.Principals {
		if _, ok := h.Roles[role]; !ok {
			return fmt.Errorf("http.principals.%s: role %q is not in http.roles", p, role)
		}
	}
	if j := h.Auth.JWT; j != nil {
		switch {
		case j.JWKSURL == "":
			return errors.New("http.auth.jwt needs jwks_url")
		case j.Issuer == "":
			return errors.New("http.auth.jwt needs issuer: tokens of any other issuer are refused")
		case j.Audience == "":
			return errors.New("http.auth.jwt needs audience: tokens for any other service are refused")
		}
	}
	return nil
}

// checkRoles: a role may narrow the file's allowlists, never widen them.
func (c *Config) checkRoles() error {
	within := func(role, key string, narrowed, own []string, under func(p, root string) bool) error {
		for _, n := range narrowed {
			if !slices.ContainsFunc(own, func(o string) bool { return under(n, o) }) {
				return fmt.Errorf("http.roles.%s.%s: %s is not within %s", role, key, n, strings.Join(own, ", "))
			}
		}
		return nil
	}
	same := func(a, b string) bool { return a == b }
	below := func(p, root string) bool { return p == root || strings.HasPrefix(p, strings.TrimSuffix(root, "/")+"/") }
	for name, r := range c.HTTP.Roles {
		for i, w := range r.Workspaces {
			r.Workspaces[i] = resolve(c.Dir(), w)
		}
		if err := within(name, "workspaces", r.Workspaces, c.Terraform.Workspaces, below); err != nil {
			return err
		}
		// An empty kubernetes.namespaces allows every namespace.
		if len(c.Kubernetes.Namespaces) > 0 {
			if err := within(name, "namespaces", r.Namespaces, c.Kubernetes.Namespaces, same); err != nil {
				return err
			}
		}
		if err := within(name, "repos", r.Repos, c.GitHub.Repos, same); err != nil {
			return err
		}
		for i, p := range r.ReadPaths {
			r.ReadPaths[i] = resolve(c.Dir(), p)
		}
		if err := within(name, "read_paths", r.ReadPaths, c.ReadRoots(), below); err != nil {
			return err
		}
		if r.Mode != "" && modeRank[r.Mode] > modeRank[c.Mode] {
			return fmt.Errorf("http.roles.%s.mode: %s would exceed the file's mode %s; a role only narrows", name, r.Mode, c.Mode)
		}
	}
	return nil
}
