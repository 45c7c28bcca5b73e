// helm-render renders a Helm chart the way `helm template` does, for machines without helm: the
// same engine (Go text/template + sprig's TxtFuncMap without env/expandenv + Helm's toYaml,
// fromYaml, toJson, fromJson, include, tpl, required and an always-empty lookup), the same
// top-level objects (.Values, .Release, .Chart, .Capabilities, .Template, .Files), the same
// missing-key handling ("<no value>" becomes "") and the same value merging (chart values.yaml,
// then each -f file, then --set / --set-string; null deletes a key). Values are read through JSON
// as Helm does, so numbers from YAML files are float64.
//
// It does not validate values.schema.json (the tests do that with ajv) and does not handle
// subcharts (charts/ inside the chart) or hooks.
//
// Usage: helm-render CHART_DIR [--name N] [--namespace NS] [-f FILE]... [--set K=V]...
//
//	[--set-string K=V]... [--api-versions GROUP/VERSION[/Kind]]... [--kube-version vX.Y.Z]
//
// Prints every non-empty manifest as "---\n# Source: <chart>/templates/<file>\n<text>".
// Build: .ci/install-helm-renderer.sh (GOPATH mode against Debian's golang-github-masterminds-sprig-dev).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	yaml "gopkg.in/yaml.v2"
)

const recursionMaxNums = 1000

type options struct {
	chartDir    string
	releaseName string
	namespace   string
	valueFiles  []string
	sets        []string
	setStrings  []string
	apiVersions []string
	kubeVersion string
}

func main() {
	opts, err := parseArgs(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "helm-render:", err)
		os.Exit(2)
	}
	out, err := render(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
	os.Stdout.WriteString(out)
}

func parseArgs(args []string) (options, error) {
	opts := options{releaseName: "release-name", namespace: "default", kubeVersion: "v1.30.0"}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		next := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("%s needs a value", arg)
			}
			i++
			return args[i], nil
		}
		var value string
		var err error
		switch arg {
		case "--name", "--namespace", "-n", "-f", "--values", "--set", "--set-string", "--api-versions", "-a", "--kube-version":
			if value, err = next(); err != nil {
				return opts, err
			}
		}
		switch arg {
		case "--name":
			opts.releaseName = value
		case "--namespace", "-n":
			opts.namespace = value
		case "-f", "--values":
			opts.valueFiles = append(opts.valueFiles, value)
		case "--set":
			opts.sets = append(opts.sets, value)
		case "--set-string":
			opts.setStrings = append(opts.setStrings, value)
		case "--api-versions", "-a":
			opts.apiVersions = append(opts.apiVersions, value)
		case "--kube-version":
			opts.kubeVersion = value
		default:
			if strings.HasPrefix(arg, "-") || opts.chartDir != "" {
				return opts, fmt.Errorf("unexpected argument %q", arg)
			}
			opts.chartDir = arg
		}
	}
	if opts.chartDir == "" {
		return opts, fmt.Errorf("usage: helm-render CHART_DIR [--name N] [--namespace NS] [-f FILE]... [--set K=V]... [--set-string K=V]... [--api-versions V]...")
	}
	return opts, nil
}

// ---- YAML through JSON, as sigs.k8s.io/yaml does for Helm ----

// jsonify turns yaml.v2's map[interface{}]interface{} into JSON-compatible values.
func jsonify(v interface{}) (interface{}, error) {
	switch t := v.(type) {
	case map[interface{}]interface{}:
		m := make(map[string]interface{}, len(t))
		for k, val := range t {
			converted, err := jsonify(val)
			if err != nil {
				return nil, err
			}
			m[fmt.Sprint(k)] = converted
		}
		return m, nil
	case []interface{}:
		out := make([]interface{}, len(t))
		for i, val := range t {
			converted, err := jsonify(val)
			if err != nil {
				return nil, err
			}
			out[i] = converted
		}
		return out, nil
	default:
		return v, nil
	}
}

// yamlToJSONValue parses YAML into what json.Unmarshal would give for its JSON form (float64 numbers).
func yamlToJSONValue(data []byte, target interface{}) error {
	var raw interface{}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return err
	}
	converted, err := jsonify(raw)
	if err != nil {
		return err
	}
	if converted == nil {
		return nil
	}
	encoded, err := json.Marshal(converted)
	if err != nil {
		return err
	}
	return json.Unmarshal(encoded, target)
}

// toYAML is Helm's toYaml: JSON first (struct tags, sorted keys), then YAML, without the final newline.
func toYAML(v interface{}) string {
	encoded, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var generic interface{}
	if err := yaml.Unmarshal(encoded, &generic); err != nil {
		return ""
	}
	data, err := yaml.Marshal(generic)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(str string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yamlToJSONValue([]byte(str), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromYAMLArray(str string) []interface{} {
	a := []interface{}{}
	if err := yamlToJSONValue([]byte(str), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(str string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(str), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromJSONArray(str string) []interface{} {
	a := []interface{}{}
	if err := json.Unmarshal([]byte(str), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

// ---- values: chart defaults, -f files, --set ----

// coalesce merges src over dst as Helm does: maps merge deeply, a null in src deletes the key.
func coalesce(dst, src map[string]interface{}) map[string]interface{} {
	if dst == nil {
		dst = map[string]interface{}{}
	}
	for key, value := range src {
		if value == nil {
			delete(dst, key)
			continue
		}
		srcMap, srcIsMap := value.(map[string]interface{})
		dstMap, dstIsMap := dst[key].(map[string]interface{})
		if srcIsMap && dstIsMap {
			dst[key] = coalesce(dstMap, srcMap)
		} else {
			dst[key] = value
		}
	}
	return dst
}

// splitUnescaped splits on sep outside of {...} lists and not preceded by a backslash.
func splitUnescaped(s string, sep byte) []string {
	var parts []string
	var current strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			current.WriteByte(c)
			current.WriteByte(s[i+1])
			i++
			continue
		}
		switch c {
		case '{':
			depth++
		case '}':
			depth--
		}
		if c == sep && depth == 0 {
			parts = append(parts, current.String())
			current.Reset()
			continue
		}
		current.WriteByte(c)
	}
	return append(parts, current.String())
}

func unescape(s string) string {
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		out.WriteByte(s[i])
	}
	return out.String()
}

// typedValue is strvals' typing of a --set value: null, true/false, int64 (no leading zero), else string.
func typedValue(raw string, asString bool) interface{} {
	if asString {
		return unescape(raw)
	}
	switch raw {
	case "null":
		return nil
	case "true":
		return true
	case "false":
		return false
	case "0":
		return int64(0)
	}
	if len(raw) > 0 && raw[0] != '0' {
		if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
			return n
		}
	}
	return unescape(raw)
}

type pathPart struct {
	key   string
	index int // -1 when the part is a map key
}

func parseKey(key string) ([]pathPart, error) {
	var parts []pathPart
	for _, segment := range splitUnescaped(key, '.') {
		name := segment
		var indexes []int
		for strings.HasSuffix(name, "]") {
			open := strings.LastIndex(name, "[")
			if open < 0 {
				return nil, fmt.Errorf("bad key %q", key)
			}
			n, err := strconv.Atoi(name[open+1 : len(name)-1])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("bad index in key %q", key)
			}
			indexes = append([]int{n}, indexes...)
			name = name[:open]
		}
		if name != "" {
			parts = append(parts, pathPart{key: unescape(name), index: -1})
		}
		for _, n := range indexes {
			parts = append(parts, pathPart{index: n})
		}
	}
	if len(parts) == 0 || parts[0].index >= 0 {
		return nil, fmt.Errorf("bad key %q", key)
	}
	return parts, nil
}

func setPath(container interface{}, parts []pathPart, value interface{}) interface{} {
	part := parts[0]
	last := len(parts) == 1
	if part.index < 0 {
		m, ok := container.(map[string]interface{})
		if !ok {
			m = map[string]interface{}{}
		}
		if last {
			if value == nil {
				delete(m, part.key)
			} else {
				m[part.key] = value
			}
		} else {
			m[part.key] = setPath(m[part.key], parts[1:], value)
		}
		return m
	}
	list, _ := container.([]interface{})
	for len(list) <= part.index {
		list = append(list, nil)
	}
	if last {
		list[part.index] = value
	} else {
		list[part.index] = setPath(list[part.index], parts[1:], value)
	}
	return list
}

// applySet applies one --set argument: comma-separated key=value pairs; {a,b} is a list.
func applySet(values map[string]interface{}, arg string, asString bool) error {
	for _, assignment := range splitUnescaped(arg, ',') {
		if assignment == "" {
			continue
		}
		eq := strings.IndexByte(assignment, '=')
		if eq < 0 {
			return fmt.Errorf("key %q has no value", assignment)
		}
		parts, err := parseKey(assignment[:eq])
		if err != nil {
			return err
		}
		raw := assignment[eq+1:]
		var value interface{}
		if strings.HasPrefix(raw, "{") && strings.HasSuffix(raw, "}") {
			items := []interface{}{}
			inner := raw[1 : len(raw)-1]
			if inner != "" {
				for _, item := range splitUnescaped(inner, ',') {
					items = append(items, typedValue(item, asString))
				}
			}
			value = items
		} else {
			value = typedValue(raw, asString)
		}
		setPath(values, parts, value)
	}
	return nil
}

// ---- chart ----

type chartFile struct {
	name string // <chart>/templates/<relative path>
	text string
}

func loadChart(dir string) (map[string]interface{}, []chartFile, map[string][]byte, error) {
	chartYAML, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, nil, nil, err
	}
	var meta map[string]interface{}
	if err := yamlToJSONValue(chartYAML, &meta); err != nil {
		return nil, nil, nil, fmt.Errorf("Chart.yaml: %w", err)
	}
	name, _ := meta["name"].(string)
	if name == "" {
		return nil, nil, nil, fmt.Errorf("Chart.yaml: name is required")
	}
	var templates []chartFile
	files := map[string][]byte{}
	err = filepath.Walk(dir, func(p string, info os.FileInfo, walkErr error) error {
		if walkErr != nil {
			return walkErr
		}
		if info.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.HasPrefix(rel, "templates/") {
			templates = append(templates, chartFile{name: path.Join(name, rel), text: string(data)})
		} else if rel != "Chart.yaml" && rel != "values.yaml" && rel != "values.schema.json" {
			files[rel] = data
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	sort.Slice(templates, func(i, j int) bool { return templates[i].name < templates[j].name })
	return meta, templates, files, nil
}

// chartObject is .Chart: the Chart.yaml fields under the names of Helm's chart.Metadata.
func chartObject(meta map[string]interface{}) map[string]interface{} {
	names := map[string]string{
		"name": "Name", "home": "Home", "sources": "Sources", "version": "Version", "description": "Description",
		"keywords": "Keywords", "maintainers": "Maintainers", "icon": "Icon", "apiVersion": "APIVersion",
		"condition": "Condition", "tags": "Tags", "appVersion": "AppVersion", "deprecated": "Deprecated",
		"annotations": "Annotations", "kubeVersion": "KubeVersion", "dependencies": "Dependencies", "type": "Type",
	}
	out := map[string]interface{}{}
	for yamlName, goName := range names {
		out[goName] = meta[yamlName]
	}
	for _, key := range []string{"Name", "Version", "AppVersion", "Description", "Type", "APIVersion", "Icon", "Home", "KubeVersion", "Condition", "Tags"} {
		if out[key] == nil {
			out[key] = ""
		}
	}
	return out
}

// files is .Files: Get, GetBytes, Glob-free subset.
type files map[string][]byte

func (f files) Get(name string) string    { return string(f[name]) }
func (f files) GetBytes(name string) []byte { return f[name] }

type apiVersions []string

func (a apiVersions) Has(version string) bool {
	for _, v := range a {
		if v == version {
			return true
		}
	}
	return false
}

func defaultAPIVersions() []string {
	return []string{
		"v1", "apps/v1", "batch/v1", "autoscaling/v1", "autoscaling/v2", "policy/v1",
		"rbac.authorization.k8s.io/v1", "networking.k8s.io/v1", "storage.k8s.io/v1",
		"apiextensions.k8s.io/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1",
	}
}

func render(opts options) (string, error) {
	meta, templates, chartFiles, err := loadChart(opts.chartDir)
	if err != nil {
		return "", err
	}
	values := map[string]interface{}{}
	if data, err := os.ReadFile(filepath.Join(opts.chartDir, "values.yaml")); err == nil {
		if err := yamlToJSONValue(data, &values); err != nil {
			return "", fmt.Errorf("values.yaml: %w", err)
		}
	}
	for _, file := range opts.valueFiles {
		data, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		override := map[string]interface{}{}
		if err := yamlToJSONValue(data, &override); err != nil {
			return "", fmt.Errorf("%s: %w", file, err)
		}
		values = coalesce(values, override)
	}
	for _, set := range opts.sets {
		if err := applySet(values, set, false); err != nil {
			return "", fmt.Errorf("--set %s: %w", set, err)
		}
	}
	for _, set := range opts.setStrings {
		if err := applySet(values, set, true); err != nil {
			return "", fmt.Errorf("--set-string %s: %w", set, err)
		}
	}

	major, minor := "1", "30"
	if parts := strings.SplitN(strings.TrimPrefix(opts.kubeVersion, "v"), ".", 3); len(parts) >= 2 {
		major, minor = parts[0], parts[1]
	}
	top := map[string]interface{}{
		"Values": values,
		"Release": map[string]interface{}{
			"Name": opts.releaseName, "Namespace": opts.namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Chart": chartObject(meta),
		"Capabilities": map[string]interface{}{
			"KubeVersion": map[string]interface{}{"Version": opts.kubeVersion, "GitVersion": opts.kubeVersion, "Major": major, "Minor": minor},
			"APIVersions": apiVersions(append(defaultAPIVersions(), opts.apiVersions...)),
			"HelmVersion": map[string]interface{}{"Version": "v3.16.0"},
		},
		"Files": files(chartFiles),
	}

	root := template.New("gotpl").Option("missingkey=zero")
	includedNames := map[string]int{}
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["fromYamlArray"] = fromYAMLArray
	funcs["toJson"] = toJSON
	funcs["fromJson"] = fromJSON
	funcs["fromJsonArray"] = fromJSONArray
	funcs["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	funcs["required"] = func(warn string, val interface{}) (interface{}, error) {
		if val == nil {
			return val, fmt.Errorf("%s", warn)
		}
		if s, ok := val.(string); ok && s == "" {
			return val, fmt.Errorf("%s", warn)
		}
		return val, nil
	}
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var buf strings.Builder
		if includedNames[name] > recursionMaxNums {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		includedNames[name]++
		err := root.ExecuteTemplate(&buf, name, data)
		includedNames[name]--
		return buf.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err := clone.New("tpl").Parse(text)
		if err != nil {
			return "", fmt.Errorf("cannot parse template %q: %w", text, err)
		}
		var buf strings.Builder
		if err := t.Execute(&buf, data); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	root.Funcs(funcs)

	for _, file := range templates {
		if _, err := root.New(file.name).Parse(file.text); err != nil {
			return "", fmt.Errorf("parse error in %q: %w", file.name, err)
		}
	}

	var out bytes.Buffer
	chartName, _ := meta["name"].(string)
	for _, file := range templates {
		base := path.Base(file.name)
		if strings.HasPrefix(base, "_") || strings.HasSuffix(base, "NOTES.txt") {
			continue
		}
		scope := map[string]interface{}{}
		for k, v := range top {
			scope[k] = v
		}
		scope["Template"] = map[string]interface{}{"Name": file.name, "BasePath": path.Join(chartName, "templates")}
		var buf strings.Builder
		if err := root.ExecuteTemplate(&buf, file.name, scope); err != nil {
			return "", fmt.Errorf("execution error in %s: %w", file.name, err)
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		for _, manifest := range splitManifests(text) {
			fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", file.name, manifest)
		}
	}
	return out.String(), nil
}

// manifestSeparator is Helm's releaseutil separator of documents in one template's output.
var manifestSeparator = regexp.MustCompile("(?:^|\\s*\n)---\\s*")

// splitManifests splits one template's output into documents and drops empty ones, as Helm does.
func splitManifests(text string) []string {
	var manifests []string
	for _, doc := range manifestSeparator.Split(text, -1) {
		if doc = strings.TrimSpace(doc); doc != "" {
			manifests = append(manifests, doc)
		}
	}
	return manifests
}
