// helm-render: a test-only renderer for the CoIN-TS Helm chart (there is no helm binary to be had
// here). It renders a chart's templates with Go's text/template + sprig, the engine Helm uses, plus
// the few Helm builtins the chart needs (include, tpl, toYaml, fromYaml, fromYamlArray, required, lookup, .Release,
// .Chart, .Capabilities, .Template), and prints a multi-document YAML, each document headed by
// `# Source: <chart>/templates/<file>` as `helm template` does.
//
// Usage: helm-render --chart DIR [-f values.yaml]... [--set a.b=c]... [--release NAME]
//        [--namespace NS] [--service NAME] [--strict] [--notes]
//
// Values: the chart's values.yaml, then each -f file, then each --set, later wins (maps merge key by
// key, everything else is replaced). --set parses true/false, null, whole numbers and {a,b} lists;
// the rest are strings. --strict makes a missing map key an error instead of an empty value (Helm's lint
// --strict), so a template reading a key values.yaml lacks fails. --notes prints NOTES.txt instead
// of the manifests. Not Helm: no dependencies, hooks are printed like any object, no kind ordering,
// no schema check (the tests check values against values.schema.json themselves).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v3"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type chartMeta struct {
	Name        string `yaml:"name"`
	Version     string `yaml:"version"`
	AppVersion  string `yaml:"appVersion"`
	Description string `yaml:"description"`
	APIVersion  string `yaml:"apiVersion"`
	Type        string `yaml:"type"`
}

func fatal(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "helm-render: "+format+"\n", args...)
	os.Exit(1)
}

func readYAMLMap(path string) map[string]interface{} {
	data, err := os.ReadFile(path)
	if err != nil {
		fatal("%v", err)
	}
	out := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &out); err != nil {
		fatal("%s: %v", path, err)
	}
	if out == nil {
		out = map[string]interface{}{}
	}
	return out
}

// merge puts over onto base: maps merge key by key, anything else replaces.
func merge(base, over map[string]interface{}) map[string]interface{} {
	for k, v := range over {
		bm, bok := base[k].(map[string]interface{})
		om, ook := v.(map[string]interface{})
		if bok && ook {
			base[k] = merge(bm, om)
		} else {
			base[k] = v
		}
	}
	return base
}

func parseScalar(raw string) interface{} {
	if strings.HasPrefix(raw, "{") && strings.HasSuffix(raw, "}") {
		list := []interface{}{}
		for _, item := range strings.Split(raw[1:len(raw)-1], ",") {
			if item != "" {
				list = append(list, parseScalar(item))
			}
		}
		return list
	}
	switch raw {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
		return n
	}
	return raw
}

func applySet(values map[string]interface{}, expr string) {
	eq := strings.Index(expr, "=")
	if eq <= 0 {
		fatal("--set %q: expected path=value", expr)
	}
	path := strings.Split(expr[:eq], ".")
	node := values
	for _, key := range path[:len(path)-1] {
		next, ok := node[key].(map[string]interface{})
		if !ok {
			next = map[string]interface{}{}
			node[key] = next
		}
		node = next
	}
	node[path[len(path)-1]] = parseScalar(expr[eq+1:])
}

func toYAML(v interface{}) string {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	_ = enc.Close()
	return strings.TrimSuffix(buf.String(), "\n")
}

func fromYAML(s string) map[string]interface{} {
	out := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &out); err != nil {
		out["Error"] = err.Error()
	}
	return out
}

// A value Helm's templates see as .Capabilities.
type kubeVersion struct{ Version, Major, Minor, GitVersion string }
type apiVersions []string

func (a apiVersions) Has(v string) bool {
	for _, x := range a {
		if x == v {
			return true
		}
	}
	return false
}

func main() {
	chartDir := flag.String("chart", "", "the chart folder (holding Chart.yaml)")
	release := flag.String("release", "coin", "the release name")
	namespace := flag.String("namespace", "default", "the release namespace")
	strict := flag.Bool("strict", false, "a missing map key is an error")
	notes := flag.Bool("notes", false, "print NOTES.txt instead of the manifests")
	service := flag.String("service", "Helm", ".Release.Service (app.kubernetes.io/managed-by)")
	var valueFiles, sets, extraAPIs listFlag
	flag.Var(&valueFiles, "f", "a values file over the chart's values.yaml (repeatable)")
	flag.Var(&sets, "set", "path=value over the values (repeatable)")
	flag.Var(&extraAPIs, "api-versions", "an extra API version .Capabilities.APIVersions.Has reports (repeatable)")
	flag.Parse()
	if *chartDir == "" || flag.NArg() > 0 {
		fatal("usage: helm-render --chart DIR [-f values.yaml]... [--set a.b=c]... [--release NAME] [--namespace NS] [--strict] [--notes]")
	}

	var meta chartMeta
	chartData, err := os.ReadFile(filepath.Join(*chartDir, "Chart.yaml"))
	if err != nil {
		fatal("%v", err)
	}
	if err := yaml.Unmarshal(chartData, &meta); err != nil {
		fatal("Chart.yaml: %v", err)
	}
	values := readYAMLMap(filepath.Join(*chartDir, "values.yaml"))
	for _, f := range valueFiles {
		values = merge(values, readYAMLMap(f))
	}
	for _, s := range sets {
		applySet(values, s)
	}

	templatesDir := filepath.Join(*chartDir, "templates")
	// Every file under templates/, subfolders included (templates/tests/), by its path there.
	var names []string
	err = filepath.WalkDir(templatesDir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		n := d.Name()
		if !d.IsDir() && (strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".tpl") || n == "NOTES.txt") {
			rel, _ := filepath.Rel(templatesDir, path)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		fatal("%v", err)
	}
	sort.Strings(names)

	root := template.New("root")
	if *strict {
		root.Option("missingkey=error")
	} else {
		root.Option("missingkey=zero")
	}
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	includeDepth := 0
	funcs["include"] = func(name string, data interface{}) (string, error) {
		includeDepth++
		defer func() { includeDepth-- }()
		if includeDepth > 100 {
			return "", fmt.Errorf("include %q: nested too deep", name)
		}
		var buf strings.Builder
		err := root.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf strings.Builder
		err = t.Execute(&buf, data)
		return buf.String(), err
	}
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return nil, errors.New(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return nil, errors.New(msg)
		}
		return v, nil
	}
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["fromYamlArray"] = func(s string) []interface{} {
		var out []interface{}
		if err := yaml.Unmarshal([]byte(s), &out); err != nil {
			return []interface{}{err.Error()}
		}
		return out
	}
	funcs["fromJson"] = func(s string) map[string]interface{} {
		out := map[string]interface{}{}
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			out["Error"] = err.Error()
		}
		return out
	}
	funcs["lookup"] = func(apiVersion, kind, namespace, name string) map[string]interface{} {
		return map[string]interface{}{}
	}
	root.Funcs(funcs)

	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(templatesDir, n))
		if err != nil {
			fatal("%v", err)
		}
		if _, err := root.New(meta.Name + "/templates/" + n).Parse(string(data)); err != nil {
			fatal("%v", err)
		}
	}

	apis := apiVersions{"v1", "apps/v1", "batch/v1", "networking.k8s.io/v1", "rbac.authorization.k8s.io/v1", "policy/v1"}
	apis = append(apis, extraAPIs...)
	top := map[string]interface{}{
		"Values": values,
		"Release": map[string]interface{}{
			"Name": *release, "Namespace": *namespace, "Service": *service,
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Chart": map[string]interface{}{
			"Name": meta.Name, "Version": meta.Version, "AppVersion": meta.AppVersion,
			"Description": meta.Description, "APIVersion": meta.APIVersion, "Type": meta.Type,
		},
		"Capabilities": map[string]interface{}{
			"KubeVersion": kubeVersion{Version: "v1.30.0", Major: "1", Minor: "30", GitVersion: "v1.30.0"},
			"APIVersions": apis,
		},
	}

	blank := regexp.MustCompile(`^\s*$`)
	var out strings.Builder
	for _, n := range names {
		base := filepath.Base(n)
		if strings.HasPrefix(base, "_") || (n == "NOTES.txt") != *notes {
			continue
		}
		name := meta.Name + "/templates/" + n
		top["Template"] = map[string]interface{}{"Name": name, "BasePath": meta.Name + "/templates"}
		var buf strings.Builder
		if err := root.ExecuteTemplate(&buf, name, top); err != nil {
			fatal("%v", err)
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		if *notes {
			out.WriteString(text)
			continue
		}
		for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(text, -1) {
			if blank.MatchString(doc) {
				continue
			}
			fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", name, strings.Trim(doc, "\n"))
		}
	}
	fmt.Print(out.String())
}
