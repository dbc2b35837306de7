// A stand-in for `claude -p … --output-format stream-json`, for benchmarks: it speaks just enough
// stream-json for baton's parser (system init, one assistant message, a success result), sleeps the
// time its prompt asks for (a line `sleep-ms: N`), and records when it started and ended.
//
// A Go binary starts in about a millisecond; a node script takes ~40 ms, which would hide the
// orchestration overhead the benchmark measures (bench/stub-claude.mjs is the node variant).
//
// Environment:
//
//	BENCH_STUB_LOG   file to append "start|end <task> <epoch ms> <pid> <span>" lines to (optional); span is
//	                 random per process, as pids repeat under a PID namespace and a resumed attempt
//	                 reuses its session id
//	BENCH_STUB_EXEC  run this program with the same arguments instead of answering (a timing wrapper,
//	                 used to measure the real claude binary); its exit code is ours. With stream-json input it
//	                 also logs "prompt <task> …" when the first message reaches it (wrap below)
package main

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	taskLine  = regexp.MustCompile(`(?m)^# Task: (\S+)`)
	sleepLine = regexp.MustCompile(`(?m)^sleep-ms: (\d+)`)
	sizeLine  = regexp.MustCompile(`(?m)^result-bytes: (\d+)`)
)

func epochMs(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMicro())/1000, 'f', 3, 64)
}

func record(kind, task, span string, at time.Time) {
	file := os.Getenv("BENCH_STUB_LOG")
	if file == "" {
		return
	}
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	// One write of a short line with O_APPEND: lines of concurrent stubs do not interleave.
	f.WriteString(fmt.Sprintf("%s %s %s %d %s\n", kind, task, epochMs(at), os.Getpid(), span))
}

func flag(args []string, name string) string {
	for i, a := range args {
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// The prompt: the word after -p; or, with --input-format stream-json (how baton runs agents), the first user
// message on stdin, which stays open while the agent works; or all of stdin (--input-format text).
func promptOf(args []string) string {
	if flag(args, "--input-format") == "stream-json" {
		line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
		var message struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		}
		json.Unmarshal([]byte(line), &message)
		return message.Message.Content
	}
	for i, a := range args {
		if a == "-p" || a == "--print" {
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				return args[i+1]
			}
			in, _ := io.ReadAll(os.Stdin)
			return string(in)
		}
	}
	return ""
}

func emit(v any) {
	line, _ := json.Marshal(v)
	os.Stdout.Write(append(line, '\n'))
}

func taskOf(prompt string) string {
	if m := taskLine.FindStringSubmatch(prompt); m != nil {
		return m[1]
	}
	return "unknown"
}

// wrap runs the real program with our arguments (BENCH_STUB_EXEC), and logs its start and end around it. With
// stream-json input its stdin is a pipe of ours: it starts at once (as a warm agent does, long before its prompt),
// and the prompt — the first line on our stdin, which names the task — is logged ("prompt") and passed on as it
// comes, the rest of our stdin after it.
func wrap(target string, args []string, started time.Time, span string) {
	cmd := exec.Command(target, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	task := "unknown"
	if flag(args, "--input-format") == "stream-json" {
		in, err := cmd.StdinPipe()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(127)
		}
		if err := cmd.Start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(127)
		}
		reader := bufio.NewReader(os.Stdin)
		line, _ := reader.ReadString('\n')
		var message struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		}
		json.Unmarshal([]byte(line), &message)
		task = taskOf(message.Message.Content)
		record("start", task, span, started)
		if line != "" {
			record("prompt", task, span, time.Now())
		}
		go func() {
			defer in.Close()
			if _, err := in.Write([]byte(line)); err == nil {
				io.Copy(in, reader)
			}
		}()
	} else {
		task = taskOf(promptOf(args))
		record("start", task, span, started)
		cmd.Stdin = os.Stdin
		if err := cmd.Start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(127)
		}
	}
	err := cmd.Wait()
	record("end", task, span, time.Now())
	code := 0
	if exitErr, ok := err.(*exec.ExitError); ok {
		code = exitErr.ExitCode()
	} else if err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 127
	}
	os.Exit(code)
}

func main() {
	started := time.Now()
	args := os.Args[1:]
	nonce := make([]byte, 8)
	rand.Read(nonce)
	span := hex.EncodeToString(nonce)
	if target := os.Getenv("BENCH_STUB_EXEC"); target != "" {
		wrap(target, args, started, span)
	}
	prompt := promptOf(args)
	task := taskOf(prompt)
	record("start", task, span, started)

	sessionID := flag(args, "--session-id")
	if sessionID == "" {
		sessionID = flag(args, "--resume")
	}
	if sessionID == "" {
		sessionID = "00000000-0000-4000-8000-000000000000"
	}
	sleepMs := 0
	if m := sleepLine.FindStringSubmatch(prompt); m != nil {
		sleepMs, _ = strconv.Atoi(m[1])
	}
	text := "stub: task " + task + " done"
	if m := sizeLine.FindStringSubmatch(prompt); m != nil {
		n, _ := strconv.Atoi(m[1])
		if n > len(text) {
			text += strings.Repeat(".", n-len(text))
		}
	}
	emit(map[string]any{"type": "system", "subtype": "init", "session_id": sessionID, "model": "stub", "tools": []string{}})
	time.Sleep(time.Duration(sleepMs) * time.Millisecond)
	emit(map[string]any{
		"type": "assistant", "session_id": sessionID,
		"message": map[string]any{"id": "msg_" + task, "role": "assistant", "content": []any{map[string]any{"type": "text", "text": text}}},
	})
	emit(map[string]any{
		"type": "result", "subtype": "success", "is_error": false, "result": text, "session_id": sessionID,
		"total_cost_usd": 0, "num_turns": 1, "duration_ms": time.Since(started).Milliseconds(), "permission_denials": []any{},
		"usage": map[string]any{"input_tokens": 0, "output_tokens": 0, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0},
	})
	record("end", task, span, time.Now())
}
