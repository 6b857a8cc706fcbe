// Command hitlcheck is an independent verifier for n8n-nodes-hitl's transparency-log output, built
// against Go's reference code (golang.org/x/mod/sumdb/note and sumdb/tlog, Debian's
// golang-golang-x-mod-dev) so that our TypeScript signed notes, checkpoints, inclusion proofs and
// consistency proofs are checked by code we did not write. It also produces Go's own tree hashes,
// proofs, keys and signed notes, so our generators and verifiers can be compared with Go's.
//
// Only the standard library and x/mod are used; it builds in GOPATH mode (GO111MODULE=off,
// GOPATH=/usr/share/gocode), with no network. See test/harness/goTools.ts.
//
// Every subcommand prints one JSON object on stdout. Exit status: 0 = verified (or produced),
// 1 = rejected (the JSON says why: {"ok":false,"stage":...,"error":...}), 2 = usage or I/O error.
package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const (
	proofHeader       = "c2sp.org/tlog-proof@v1"
	consistencyHeader = "n8n-nodes-hitl/consistency-proof@v1"
)

// b64 is strict standard base64 (RFC 4648 section 4): non-zero padding bits are an error, so one
// hash has exactly one text form.
var b64 = base64.StdEncoding.Strict()

// rejection is a verification failure: exit status 1, with the stage that failed.
type rejection struct {
	stage string
	err   error
}

func (r *rejection) Error() string { return r.stage + ": " + r.err.Error() }

func reject(stage string, format string, args ...interface{}) error {
	return &rejection{stage, fmt.Errorf(format, args...)}
}

// usageError is a problem with how the command was called (exit status 2).
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

func usagef(format string, args ...interface{}) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usageText = `usage:
  hitlcheck checkpoint  -vkey <vkey> -origin <origin> <checkpoint file>
  hitlcheck inclusion   -vkey <vkey> -origin <origin> [-leaf <leaf data file>] <proof.tlog-proof>
  hitlcheck consistency -vkey <vkey> -origin <origin> <old checkpoint> <new checkpoint> <proof file>
  hitlcheck treehash    [-base64] [-size N] <leaves file>
  hitlcheck proverecord [-base64] [-size N] <leaves file> <index>
  hitlcheck provetree   [-base64] [-size N] <leaves file> <old size>
  hitlcheck proofs      [-base64] [-sizes N,M,...] <leaves file>
  hitlcheck keygen      <name>
  hitlcheck sign        <private key file> <text file>
A leaves file holds one leaf per line (the line's bytes without "\n"; with -base64, each line is
the base64 of the leaf's bytes). -size N uses the tree of the first N leaves (default: all).
proofs prints, for each size (default 1..all), the root, the inclusion proof of every index and the
consistency proof from every old size 1..size: Go's answers in one run, to compare with ours.`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usageText)
		writeJSON(stdout, map[string]interface{}{"ok": false, "stage": "usage", "error": "no subcommand"})
		return 2
	}
	commands := map[string]func([]string) (interface{}, error){
		"checkpoint":  cmdCheckpoint,
		"inclusion":   cmdInclusion,
		"consistency": cmdConsistency,
		"treehash":    cmdTreeHash,
		"proverecord": cmdProveRecord,
		"provetree":   cmdProveTree,
		"proofs":      cmdProofs,
		"keygen":      cmdKeygen,
		"sign":        cmdSign,
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintln(stderr, usageText)
		writeJSON(stdout, map[string]interface{}{"ok": false, "stage": "usage", "error": "unknown subcommand " + strconv.Quote(args[0])})
		return 2
	}
	result, err := cmd(args[1:])
	var rej *rejection
	switch {
	case err == nil:
		writeJSON(stdout, result)
		return 0
	case errors.As(err, &rej):
		writeJSON(stdout, map[string]interface{}{"ok": false, "stage": rej.stage, "error": rej.err.Error()})
		return 1
	default:
		fmt.Fprintf(stderr, "hitlcheck %s: %v\n", args[0], err)
		var usage *usageError
		if errors.As(err, &usage) {
			fmt.Fprintln(stderr, usageText)
		}
		writeJSON(stdout, map[string]interface{}{"ok": false, "stage": "usage", "error": err.Error()})
		return 2
	}
}

func writeJSON(w io.Writer, v interface{}) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// newFlags returns a FlagSet that reports errors instead of exiting, and prints nothing itself.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string, positional int) ([]string, error) {
	if err := fs.Parse(args); err != nil {
		return nil, usagef("%s: %v", fs.Name(), err)
	}
	if fs.NArg() != positional {
		return nil, usagef("%s: want %d file/value arguments after the flags, got %d", fs.Name(), positional, fs.NArg())
	}
	return fs.Args(), nil
}

func readFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return data, nil
}

// verifierFlags are the -vkey and -origin flags of the verifying subcommands.
type verifierFlags struct {
	vkey, origin string
}

func (v *verifierFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&v.vkey, "vkey", "", "verifier key name+hash+base64 (required)")
	fs.StringVar(&v.origin, "origin", "", "expected checkpoint origin line (required)")
}

func (v *verifierFlags) verifiers() (note.Verifiers, error) {
	if v.vkey == "" || v.origin == "" {
		return nil, usagef("-vkey and -origin are required")
	}
	verifier, err := note.NewVerifier(v.vkey)
	if err != nil {
		// A malformed key is how it was called, not something the checkpoint did.
		return nil, usagef("-vkey: %v", err)
	}
	return note.VerifierList(verifier), nil
}

// checkpoint is an opened, signature-verified C2SP checkpoint.
type checkpoint struct {
	Origin     string   `json:"origin"`
	Size       int64    `json:"size"`
	Root       string   `json:"root"`
	Extensions []string `json:"extensions,omitempty"`
	KeyName    string   `json:"keyName"`
	KeyHash    string   `json:"keyHash"`
	root       tlog.Hash
}

// openCheckpoint verifies the signed note msg with known and parses its body as a C2SP
// checkpoint (c2sp.org/tlog-checkpoint) whose origin must be origin. x/mod 0.7.0's tlog.ParseTree
// only accepts the "go.sum database tree" origin, so the body is parsed here.
func openCheckpoint(msg []byte, known note.Verifiers, origin string) (*checkpoint, error) {
	n, err := note.Open(msg, known)
	if err != nil {
		return nil, &rejection{"signature", err}
	}
	text := n.Text // note.Open guarantees a non-empty text ending in "\n"
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return nil, reject("checkpoint", "the note text has %d lines; a checkpoint has at least 3 (origin, size, root)", len(lines))
	}
	for i, line := range lines {
		if line == "" {
			return nil, reject("checkpoint", "line %d of the checkpoint is empty", i+1)
		}
	}
	if lines[0] != origin {
		return nil, reject("origin", "origin %q, want %q", lines[0], origin)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || lines[1] != strconv.FormatInt(size, 10) {
		return nil, reject("checkpoint", "tree size %q is not a decimal without leading zeroes", lines[1])
	}
	root, err := parseHash(lines[2])
	if err != nil {
		return nil, reject("checkpoint", "root hash: %v", err)
	}
	// note.Open only returns verified signatures in Sigs, and only from our one verifier.
	sig := n.Sigs[0]
	return &checkpoint{
		Origin:     lines[0],
		Size:       size,
		Root:       lines[2],
		Extensions: lines[3:],
		KeyName:    sig.Name,
		KeyHash:    fmt.Sprintf("%08x", sig.Hash),
		root:       root,
	}, nil
}

func parseHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	raw, err := b64.DecodeString(s)
	if err != nil {
		return h, fmt.Errorf("%q is not standard base64", s)
	}
	if len(raw) != tlog.HashSize {
		return h, fmt.Errorf("%q decodes to %d bytes, want %d", s, len(raw), tlog.HashSize)
	}
	copy(h[:], raw)
	return h, nil
}

func hashStrings(hashes []tlog.Hash) []string {
	out := make([]string, len(hashes))
	for i, h := range hashes {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

func cmdCheckpoint(args []string) (interface{}, error) {
	var vf verifierFlags
	fs := newFlags("checkpoint")
	vf.register(fs)
	files, err := parseFlags(fs, args, 1)
	if err != nil {
		return nil, err
	}
	known, err := vf.verifiers()
	if err != nil {
		return nil, err
	}
	msg, err := readFile(files[0])
	if err != nil {
		return nil, err
	}
	cp, err := openCheckpoint(msg, known, vf.origin)
	if err != nil {
		return nil, err
	}
	return map[string]interface{}{
		"ok": true, "origin": cp.Origin, "size": cp.Size, "root": cp.Root,
		"extensions": cp.Extensions, "keyName": cp.KeyName, "keyHash": cp.KeyHash,
	}, nil
}

// tlogProof is a parsed c2sp.org/tlog-proof@v1 file.
type tlogProof struct {
	extra      []byte
	hasExtra   bool
	index      int64
	proof      tlog.RecordProof
	checkpoint []byte
}

// parseTlogProof parses the c2sp.org/tlog-proof@v1 format: the header line, an optional
// "extra <base64>" line, "index <decimal>", zero or more base64 hash lines, an empty line, then
// the checkpoint (a signed note) verbatim.
func parseTlogProof(data []byte) (*tlogProof, error) {
	bad := func(format string, args ...interface{}) error { return reject("proof-format", format, args...) }
	split := bytes.Index(data, []byte("\n\n"))
	if split < 0 {
		return nil, bad("no empty line before the checkpoint")
	}
	head, cp := string(data[:split]), data[split+2:]
	lines := strings.Split(head, "\n")
	if lines[0] != proofHeader {
		return nil, bad("first line %q, want %q", lines[0], proofHeader)
	}
	lines = lines[1:]
	p := &tlogProof{checkpoint: cp}
	if len(lines) > 0 && strings.HasPrefix(lines[0], "extra ") {
		extra, err := b64.DecodeString(strings.TrimPrefix(lines[0], "extra "))
		if err != nil {
			return nil, bad("extra line is not standard base64")
		}
		p.extra, p.hasExtra = extra, true
		lines = lines[1:]
	}
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "index ") {
		return nil, bad("no index line")
	}
	digits := strings.TrimPrefix(lines[0], "index ")
	index, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || index < 0 || digits != strconv.FormatInt(index, 10) {
		return nil, bad("index %q is not a decimal without leading zeroes", digits)
	}
	p.index = index
	for i, line := range lines[1:] {
		h, err := parseHash(line)
		if err != nil {
			return nil, bad("proof hash %d: %v", i, err)
		}
		p.proof = append(p.proof, h)
	}
	return p, nil
}

func cmdInclusion(args []string) (interface{}, error) {
	var vf verifierFlags
	var leafFile string
	fs := newFlags("inclusion")
	vf.register(fs)
	fs.StringVar(&leafFile, "leaf", "", "file holding the leaf's data bytes (default: the proof's extra data)")
	files, err := parseFlags(fs, args, 1)
	if err != nil {
		return nil, err
	}
	known, err := vf.verifiers()
	if err != nil {
		return nil, err
	}
	data, err := readFile(files[0])
	if err != nil {
		return nil, err
	}
	var leaf []byte
	if leafFile != "" {
		if leaf, err = readFile(leafFile); err != nil {
			return nil, err
		}
	}
	p, err := parseTlogProof(data)
	if err != nil {
		return nil, err
	}
	if leafFile == "" {
		if !p.hasExtra {
			return nil, usagef("the proof has no extra line and no -leaf file was given: no leaf data to check")
		}
		leaf = p.extra
	}
	cp, err := openCheckpoint(p.checkpoint, known, vf.origin)
	if err != nil {
		return nil, err
	}
	if p.index >= cp.Size {
		return nil, reject("proof", "index %d is outside the checkpoint's tree of size %d", p.index, cp.Size)
	}
	leafHash := tlog.RecordHash(leaf)
	if err := tlog.CheckRecord(p.proof, cp.Size, cp.root, p.index, leafHash); err != nil {
		return nil, &rejection{"proof", err}
	}
	return map[string]interface{}{
		"ok": true, "origin": cp.Origin, "size": cp.Size, "root": cp.Root, "index": p.index,
		"leafHash": base64.StdEncoding.EncodeToString(leafHash[:]), "proofLength": len(p.proof),
		"keyName": cp.KeyName, "keyHash": cp.KeyHash,
	}, nil
}

// parseConsistencyProof parses "n8n-nodes-hitl/consistency-proof@v1\nold <size>\nnew <size>\n"
// followed by one base64 hash per line (the final newline is optional).
func parseConsistencyProof(data []byte) (oldSize, newSize int64, proof tlog.TreeProof, err error) {
	bad := func(format string, args ...interface{}) error { return reject("proof-format", format, args...) }
	text := strings.TrimSuffix(string(data), "\n")
	lines := strings.Split(text, "\n")
	if lines[0] != consistencyHeader {
		return 0, 0, nil, bad("first line %q, want %q", lines[0], consistencyHeader)
	}
	sizes := [2]int64{}
	for i, key := range []string{"old", "new"} {
		if len(lines) < i+2 || !strings.HasPrefix(lines[i+1], key+" ") {
			return 0, 0, nil, bad("line %d must be %q followed by a size", i+2, key)
		}
		digits := strings.TrimPrefix(lines[i+1], key+" ")
		n, perr := strconv.ParseInt(digits, 10, 64)
		if perr != nil || n < 0 || digits != strconv.FormatInt(n, 10) {
			return 0, 0, nil, bad("%s size %q is not a decimal without leading zeroes", key, digits)
		}
		sizes[i] = n
	}
	for i, line := range lines[3:] {
		h, herr := parseHash(line)
		if herr != nil {
			return 0, 0, nil, bad("proof hash %d: %v", i, herr)
		}
		proof = append(proof, h)
	}
	return sizes[0], sizes[1], proof, nil
}

func cmdConsistency(args []string) (interface{}, error) {
	var vf verifierFlags
	fs := newFlags("consistency")
	vf.register(fs)
	files, err := parseFlags(fs, args, 3)
	if err != nil {
		return nil, err
	}
	known, err := vf.verifiers()
	if err != nil {
		return nil, err
	}
	var contents [3][]byte
	for i, f := range files {
		if contents[i], err = readFile(f); err != nil {
			return nil, err
		}
	}
	oldSize, newSize, proof, err := parseConsistencyProof(contents[2])
	if err != nil {
		return nil, err
	}
	oldCp, err := openCheckpoint(contents[0], known, vf.origin)
	if err != nil {
		return nil, prefixStage("old-", err)
	}
	newCp, err := openCheckpoint(contents[1], known, vf.origin)
	if err != nil {
		return nil, prefixStage("new-", err)
	}
	if oldSize != oldCp.Size || newSize != newCp.Size {
		return nil, reject("proof", "the proof is from size %d to %d, the checkpoints are of sizes %d and %d", oldSize, newSize, oldCp.Size, newCp.Size)
	}
	if err := tlog.CheckTree(proof, newCp.Size, newCp.root, oldCp.Size, oldCp.root); err != nil {
		return nil, &rejection{"proof", err}
	}
	return map[string]interface{}{
		"ok": true, "origin": newCp.Origin, "oldSize": oldCp.Size, "oldRoot": oldCp.Root,
		"newSize": newCp.Size, "newRoot": newCp.Root, "proofLength": len(proof),
	}, nil
}

func prefixStage(prefix string, err error) error {
	var rej *rejection
	if errors.As(err, &rej) {
		return &rejection{prefix + rej.stage, rej.err}
	}
	return err
}

// tree holds the stored hashes of a log built with tlog.StoredHashes, one leaf at a time.
type tree struct {
	size   int64
	hashes []tlog.Hash
}

func (t *tree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(t.hashes)) {
			return nil, fmt.Errorf("stored hash %d is not in the tree", x)
		}
		out[i] = t.hashes[x]
	}
	return out, nil
}

// readLeaves reads the leaves file: one leaf per line; a final newline ends the last leaf rather
// than starting an empty one, so an empty file has no leaves and "\n" has one empty leaf.
func readLeaves(path string, isBase64 bool) ([][]byte, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, nil
	}
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	if !isBase64 {
		return lines, nil
	}
	leaves := make([][]byte, len(lines))
	for i, line := range lines {
		if leaves[i], err = b64.DecodeString(string(line)); err != nil {
			return nil, usagef("line %d of %s is not standard base64", i+1, path)
		}
	}
	return leaves, nil
}

// treeFlags are the flags of the tree-building subcommands.
type treeFlags struct {
	isBase64 bool
	size     int64
}

func (tf *treeFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&tf.isBase64, "base64", false, "each line is the base64 of the leaf's bytes")
	fs.Int64Var(&tf.size, "size", -1, "use the tree of the first N leaves (default: all)")
}

// buildTree parses the flags, reads the leaves file (the first positional argument) and appends
// every leaf with tlog.StoredHashes. It returns the tree, its size for the command (-size or all
// leaves) and the remaining positional arguments.
func buildTree(fs *flag.FlagSet, tf *treeFlags, args []string, positional int) (*tree, int64, []string, error) {
	rest, err := parseFlags(fs, args, positional)
	if err != nil {
		return nil, 0, nil, err
	}
	leaves, err := readLeaves(rest[0], tf.isBase64)
	if err != nil {
		return nil, 0, nil, err
	}
	t := &tree{}
	for _, leaf := range leaves {
		stored, err := tlog.StoredHashes(t.size, leaf, t)
		if err != nil {
			return nil, 0, nil, err
		}
		t.hashes = append(t.hashes, stored...)
		t.size++
	}
	size := t.size
	if tf.size >= 0 {
		if tf.size > t.size {
			return nil, 0, nil, usagef("-size %d, but the file has %d leaves", tf.size, t.size)
		}
		size = tf.size
	}
	return t, size, rest[1:], nil
}

func parseCount(what, s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, usagef("%s %q is not a non-negative decimal", what, s)
	}
	return n, nil
}

func rootOf(t *tree, size int64) (string, error) {
	root, err := tlog.TreeHash(size, t)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(root[:]), nil
}

func cmdTreeHash(args []string) (interface{}, error) {
	var tf treeFlags
	fs := newFlags("treehash")
	tf.register(fs)
	t, size, _, err := buildTree(fs, &tf, args, 1)
	if err != nil {
		return nil, err
	}
	root, err := rootOf(t, size)
	if err != nil {
		return nil, err
	}
	return map[string]interface{}{
		"ok": true, "size": size, "root": root, "storedHashCount": tlog.StoredHashCount(size),
	}, nil
}

func cmdProveRecord(args []string) (interface{}, error) {
	var tf treeFlags
	fs := newFlags("proverecord")
	tf.register(fs)
	t, size, rest, err := buildTree(fs, &tf, args, 2)
	if err != nil {
		return nil, err
	}
	index, err := parseCount("index", rest[0])
	if err != nil {
		return nil, err
	}
	if index >= size {
		return nil, usagef("index %d is outside the tree of size %d", index, size)
	}
	proof, err := tlog.ProveRecord(size, index, t)
	if err != nil {
		return nil, err
	}
	root, err := rootOf(t, size)
	if err != nil {
		return nil, err
	}
	return map[string]interface{}{"ok": true, "size": size, "index": index, "root": root, "proof": hashStrings(proof)}, nil
}

func cmdProveTree(args []string) (interface{}, error) {
	var tf treeFlags
	fs := newFlags("provetree")
	tf.register(fs)
	t, size, rest, err := buildTree(fs, &tf, args, 2)
	if err != nil {
		return nil, err
	}
	oldSize, err := parseCount("old size", rest[0])
	if err != nil {
		return nil, err
	}
	if oldSize < 1 || oldSize > size {
		return nil, usagef("old size %d must be between 1 and the tree size %d", oldSize, size)
	}
	proof, err := tlog.ProveTree(size, oldSize, t)
	if err != nil {
		return nil, err
	}
	oldRoot, err := rootOf(t, oldSize)
	if err != nil {
		return nil, err
	}
	newRoot, err := rootOf(t, size)
	if err != nil {
		return nil, err
	}
	return map[string]interface{}{
		"ok": true, "oldSize": oldSize, "newSize": size, "oldRoot": oldRoot, "newRoot": newRoot, "proof": hashStrings(proof),
	}, nil
}

// cmdProofs prints Go's roots, inclusion proofs and consistency proofs for whole trees at once.
func cmdProofs(args []string) (interface{}, error) {
	var tf treeFlags
	var sizesFlag string
	fs := newFlags("proofs")
	tf.register(fs)
	fs.StringVar(&sizesFlag, "sizes", "", "comma-separated tree sizes (default: 1 to the number of leaves)")
	t, _, _, err := buildTree(fs, &tf, args, 1)
	if err != nil {
		return nil, err
	}
	var sizes []int64
	if sizesFlag == "" {
		for n := int64(1); n <= t.size; n++ {
			sizes = append(sizes, n)
		}
	} else {
		for _, field := range strings.Split(sizesFlag, ",") {
			n, err := parseCount("size", field)
			if err != nil {
				return nil, err
			}
			if n < 1 || n > t.size {
				return nil, usagef("size %d must be between 1 and the number of leaves %d", n, t.size)
			}
			sizes = append(sizes, n)
		}
	}
	type treeProofs struct {
		Size   int64      `json:"size"`
		Root   string     `json:"root"`
		Record [][]string `json:"record"` // Record[i]: inclusion proof of index i
		Tree   [][]string `json:"tree"`   // Tree[m-1]: consistency proof from size m
	}
	out := make([]treeProofs, 0, len(sizes))
	for _, size := range sizes {
		root, err := rootOf(t, size)
		if err != nil {
			return nil, err
		}
		tp := treeProofs{Size: size, Root: root}
		for i := int64(0); i < size; i++ {
			p, err := tlog.ProveRecord(size, i, t)
			if err != nil {
				return nil, err
			}
			tp.Record = append(tp.Record, hashStrings(p))
		}
		for m := int64(1); m <= size; m++ {
			p, err := tlog.ProveTree(size, m, t)
			if err != nil {
				return nil, err
			}
			tp.Tree = append(tp.Tree, hashStrings(p))
		}
		out = append(out, tp)
	}
	return map[string]interface{}{"ok": true, "leaves": t.size, "trees": out}, nil
}

func cmdKeygen(args []string) (interface{}, error) {
	files, err := parseFlags(newFlags("keygen"), args, 1)
	if err != nil {
		return nil, err
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, files[0])
	if err != nil {
		return nil, usagef("%v", err)
	}
	return map[string]interface{}{"ok": true, "skey": skey, "vkey": vkey}, nil
}

func cmdSign(args []string) (interface{}, error) {
	files, err := parseFlags(newFlags("sign"), args, 2)
	if err != nil {
		return nil, err
	}
	skey, err := readFile(files[0])
	if err != nil {
		return nil, err
	}
	text, err := readFile(files[1])
	if err != nil {
		return nil, err
	}
	signer, err := note.NewSigner(strings.TrimSpace(string(skey)))
	if err != nil {
		return nil, usagef("private key: %v", err)
	}
	msg, err := note.Sign(&note.Note{Text: string(text)}, signer)
	if err != nil {
		return nil, usagef("sign: %v", err)
	}
	return map[string]interface{}{"ok": true, "note": string(msg)}, nil
}
