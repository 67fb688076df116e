//! `handoff mcp` as its clients see it: spoken to line by line over JSON-RPC, its answers
//! checked against the schemas it declares, and driven by the official MCP Python SDK.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::common::TestRepo;
use crate::ecosystem::{check_json, demo, handoff, run};
use serde_json::{Value, json};

/// A `handoff mcp` process spoken to line by line.
struct McpSession {
    child: Child,
    lines: mpsc::Receiver<String>,
    next_id: u64,
}

impl McpSession {
    fn start(dir: &Path) -> McpSession {
        let mut child = handoff(dir)
            .arg("mcp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        McpSession {
            child,
            lines,
            next_id: 1,
        }
    }

    fn send(&mut self, message: Value) {
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
    }

    /// Writes raw bytes, a line break after them.
    fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(bytes).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    /// The next line the server writes, as JSON; a test fails rather than hang.
    fn next(&mut self, after: &str) -> Value {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("no answer to {after}"));
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("no answer to {method}"));
            let message: Value = serde_json::from_str(&line).unwrap();
            if message["id"] == id {
                return message;
            }
        }
    }
}

impl Drop for McpSession {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// A session past `initialize` and `notifications/initialized`.
fn initialized(dir: &Path) -> McpSession {
    let mut mcp = McpSession::start(dir);
    mcp.request(
        "initialize",
        json!({
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": { "name": "ecosystem-test", "version": "0" }
        }),
    );
    mcp.send(json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }));
    mcp
}

#[test]
fn mcp_serves_context_findings_and_the_matrix_over_json_rpc() {
    let (_tmp, dir) = demo();
    let mut mcp = McpSession::start(&dir);
    let init = mcp.request(
        "initialize",
        json!({
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": { "name": "ecosystem-test", "version": "0" }
        }),
    );
    assert_eq!(init["result"]["protocolVersion"], "2025-06-18");
    assert_eq!(init["result"]["serverInfo"]["name"], "handoff");
    assert!(init["result"]["capabilities"]["tools"].is_object());
    assert!(init["result"]["capabilities"]["resources"].is_object());
    mcp.send(json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }));

    let tools = mcp.request("tools/list", json!({}));
    let names: Vec<&str> = tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "list_findings",
            "get_context",
            "context_for_path",
            "get_matrix",
            "impact"
        ]
    );

    let errors = mcp.request(
        "tools/call",
        json!({ "name": "list_findings", "arguments": { "severity": "error" } }),
    );
    let listed = &errors["result"]["structuredContent"];
    let expected = check_json(&dir)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .count();
    assert_eq!(listed["count"], expected);
    let by_code = mcp.request(
        "tools/call",
        json!({ "name": "list_findings", "arguments": { "code": "no-owner", "artifact": "flagged-queue" } }),
    );
    assert_eq!(by_code["result"]["structuredContent"]["count"], 1);

    let context = mcp.request(
        "tools/call",
        json!({ "name": "get_context", "arguments": { "artifact": "prd" } }),
    );
    let text = context["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.starts_with("# Context for `prd`"), "{text}");
    // The demo's drafting code is governed by the PRD, which has drifted since its approval.
    let for_path = mcp.request(
        "tools/call",
        json!({ "name": "context_for_path", "arguments": { "path": "src/reply/draft.rs" } }),
    );
    let text = for_path["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("# Context for `src/reply/draft.rs`\n\nGoverned by `prd`"),
        "{text}"
    );
    assert!(text.contains("`code-drift`"), "{text}");
    let unknown = mcp.request(
        "tools/call",
        json!({ "name": "get_context", "arguments": { "artifact": "nope" } }),
    );
    assert_eq!(unknown["result"]["isError"], true);
    // The commit that drifted the PRD, as the pull-request gate sees it: the same document
    // as `handoff impact --format json`.
    let (is_error, answer, _) = call_tool(&mut mcp, "impact", json!({ "range": "HEAD~4..HEAD~3" }));
    assert!(!is_error, "{answer}");
    let cli = handoff(&dir)
        .args(["impact", "HEAD~4..HEAD~3", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        answer,
        serde_json::from_slice::<Value>(&cli.stdout).unwrap()
    );
    assert_eq!(answer["governing"], json!(["prd"]));
    let (is_error, _, text) = call_tool(&mut mcp, "impact", json!({ "range": "HEAD..HEAD~1" }));
    assert!(is_error);
    assert!(
        text.starts_with("`HEAD..HEAD~1` is not an ancestry"),
        "{text}"
    );
    let (is_error, _, text) = call_tool(
        &mut mcp,
        "impact",
        json!({ "range": "HEAD~1..HEAD", "dir": "../elsewhere" }),
    );
    assert!(is_error);
    assert!(
        text.starts_with("`dir` must be a directory below the server's"),
        "{text}"
    );

    let matrix = mcp.request(
        "tools/call",
        json!({ "name": "get_matrix", "arguments": {} }),
    );
    assert_eq!(
        matrix["result"]["structuredContent"]["rows"]
            .as_array()
            .unwrap()
            .len(),
        21
    );

    let resources = mcp.request("resources/list", json!({}));
    let uris: Vec<&str> = resources["result"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["uri"].as_str().unwrap())
        .collect();
    assert_eq!(uris.len(), 22);
    assert!(uris.contains(&"handoff://artifact/eval-set") && uris.contains(&"handoff://check"));

    let read = mcp.request(
        "resources/read",
        json!({ "uri": "handoff://artifact/eval-set" }),
    );
    let page = &read["result"]["contents"][0];
    assert_eq!(page["mimeType"], "text/markdown");
    assert!(page["text"].as_str().unwrap().contains("## Upstream chain"));
    let check = mcp.request("resources/read", json!({ "uri": "handoff://check" }));
    let report: Value =
        serde_json::from_str(check["result"]["contents"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(report["summary"]["artifacts"], 21);
    let missing = mcp.request("resources/read", json!({ "uri": "handoff://nowhere" }));
    assert!(missing["error"].is_object());
}

/// A tool's answer: whether it is an error, its `structuredContent`, and its text.
fn call_tool(mcp: &mut McpSession, name: &str, arguments: Value) -> (bool, Value, String) {
    let reply = mcp.request(
        "tools/call",
        json!({ "name": name, "arguments": arguments }),
    );
    let result = &reply["result"];
    assert!(result.is_object(), "{name} {arguments}: {reply}");
    (
        result["isError"] == true,
        result["structuredContent"].clone(),
        result["content"][0]["text"]
            .as_str()
            .unwrap_or("")
            .to_string(),
    )
}

/// The tools as `tools/list` gives them, by name.
fn listed_tools(mcp: &mut McpSession) -> serde_json::Map<String, Value> {
    let tools = mcp.request("tools/list", json!({}));
    tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_string(), t.clone()))
        .collect()
}

#[test]
fn mcp_tools_have_titles_and_answer_as_their_output_schemas_say() {
    let (_tmp, dir) = demo();
    let mut mcp = initialized(&dir);
    let tools = listed_tools(&mut mcp);
    for (name, tool) in &tools {
        assert!(tool["title"].is_string(), "{name} has no title: {tool}");
    }
    // get_context answers Markdown (text content), the other two JSON they declare.
    assert!(tools["get_context"].get("outputSchema").is_none());
    let calls = [
        ("list_findings", json!({})),
        (
            "list_findings",
            json!({ "severity": "warning", "limit": 3 }),
        ),
        (
            "list_findings",
            json!({ "artifact": "prd", "code": "changed-since-signoff" }),
        ),
        ("get_matrix", json!({})),
        ("get_matrix", json!({ "limit": 4, "cursor": "2" })),
        ("impact", json!({ "range": "HEAD~4..HEAD~3" })),
        ("impact", json!({ "range": "HEAD~10..HEAD", "dir": "." })),
        ("impact", json!({ "range": "HEAD..HEAD" })),
    ];
    for (name, arguments) in calls {
        let schema = &tools[name]["outputSchema"];
        let validator = jsonschema::validator_for(schema)
            .unwrap_or_else(|e| panic!("{name}'s output schema: {e}: {schema}"));
        let (is_error, answer, _) = call_tool(&mut mcp, name, arguments.clone());
        assert!(
            !is_error && answer.is_object(),
            "{name} {arguments}: {answer}"
        );
        let errors: Vec<String> = validator
            .iter_errors(&answer)
            .map(|e| e.to_string())
            .collect();
        assert!(
            errors.is_empty(),
            "{name} {arguments}: {errors:?}\n{answer}"
        );
    }
    // The schemas are closed: an answer with a field they do not name would not pass.
    let (_, mut answer, _) = call_tool(&mut mcp, "list_findings", json!({ "limit": 1 }));
    answer["findings"][0]["surprise"] = json!(1);
    let validator = jsonschema::validator_for(&tools["list_findings"]["outputSchema"]).unwrap();
    assert!(!validator.is_valid(&answer));
}

#[test]
fn mcp_refuses_arguments_its_input_schemas_forbid_and_says_why() {
    let (_tmp, dir) = demo();
    let mut mcp = initialized(&dir);
    let tools = listed_tools(&mut mcp);
    let refused = [
        (
            "get_context",
            json!({ "artifact": 5 }),
            "`artifact` must be a string, not 5",
        ),
        ("get_context", json!({}), "`artifact` is required"),
        ("impact", json!({}), "`range` is required"),
        (
            "get_context",
            json!({ "artifact": "prd", "role": "pm" }),
            "`role` is not an argument of get_context: it takes only `artifact`",
        ),
        (
            "get_matrix",
            json!({ "rows": 3 }),
            "`rows` is not an argument of get_matrix: it takes only `cursor`, `limit`",
        ),
        (
            "list_findings",
            json!({ "cursor": null }),
            "`cursor` must be a string, not null",
        ),
        (
            "list_findings",
            json!({ "code": ["aged"] }),
            "`code` must be a string, not an array",
        ),
        (
            "list_findings",
            json!({ "limit": "5" }),
            "`limit` must be a whole number from 1 to 1000",
        ),
    ];
    for (name, arguments, says) in refused {
        // What the schema forbids ...
        let validator = jsonschema::validator_for(&tools[name]["inputSchema"]).unwrap();
        assert!(!validator.is_valid(&arguments), "{name} {arguments}");
        // ... the tool refuses, naming the argument.
        let (is_error, _, text) = call_tool(&mut mcp, name, arguments.clone());
        assert!(is_error, "{name} {arguments}: {text}");
        assert!(text.starts_with(says), "{name} {arguments}: {text}");
    }
}

#[test]
fn mcp_lists_the_check_report_of_a_broken_index_with_its_load_errors() {
    let repo = TestRepo::new();
    repo.write(
        "handoff.yaml",
        "version: 1\nname: Broken\nartifacts:\n  - id: prd\n    path: prd.md\n    colour: red\n",
    );
    repo.commit("A broken index");
    let mut mcp = initialized(repo.path());
    let listed = mcp.request("resources/list", json!({}));
    let resources = listed["result"]["resources"]
        .as_array()
        .unwrap_or_else(|| panic!("{listed}"));
    let uris: Vec<&str> = resources
        .iter()
        .map(|r| r["uri"].as_str().unwrap())
        .collect();
    assert_eq!(uris, ["handoff://check"]);
    assert!(listed["result"].get("nextCursor").is_none());
    let read = mcp.request("resources/read", json!({ "uri": "handoff://check" }));
    let text = read["result"]["contents"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("{read}"));
    let report: Value = serde_json::from_str(text).unwrap();
    let first = &report["load_errors"][0];
    assert_eq!(
        (&first["file"], &first["line"]),
        (&json!("handoff.yaml"), &json!(6)),
        "{report}"
    );
    assert!(
        first["message"].as_str().unwrap().contains("colour"),
        "{report}"
    );
    // The tools say the same as an error result.
    let (is_error, _, text) = call_tool(&mut mcp, "list_findings", json!({}));
    assert!(is_error && text.contains("handoff.yaml:6:"), "{text}");
}

#[test]
fn mcp_python_sdk_client_lists_calls_validates_and_pages() {
    let Some(python) = crate::support::consumers::python_with(&[("mcp", "mcp")]) else {
        return;
    };
    let (_tmp, dir) = demo();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/mcp_sdk_client.py");
    // The client starts the server itself: it runs as the other tests' handoff does (pinned
    // clock, git configuration kept out), its environment handed on by the script.
    let server = handoff(&dir);
    let mut client = std::process::Command::new(&python);
    client
        .arg(&script)
        .arg(server.get_program())
        .arg(&dir)
        .current_dir(&dir);
    for (key, value) in server.get_envs() {
        match value {
            Some(value) => client.env(key, value),
            None => client.env_remove(key),
        };
    }
    let output = client.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the SDK client failed:\n{stderr}");
    let seen: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&output.stdout)));
    assert_eq!(seen["server"], "handoff");
    for tool in [
        "list_findings",
        "get_context",
        "context_for_path",
        "get_matrix",
        "impact",
    ] {
        assert!(seen["tools"][tool]["title"].is_string(), "{seen}");
    }
    // What a change set needs before merge, validated by the SDK against its output schema.
    assert_eq!(seen["tools"]["impact"]["outputSchema"], true);
    let impact = &seen["impact"]["structuredContent"];
    assert_eq!(impact["version"], 1, "{seen}");
    assert_eq!(impact["governing"], json!(["prd"]), "{seen}");
    assert!(
        impact["opened"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "code-drift" && f["artifact"] == "prd"),
        "{seen}"
    );
    // What a coding agent opening the drafting code is handed, through the official client.
    let for_path = seen["for_path"]["text"].as_str().unwrap_or_default();
    assert!(for_path.contains("Governed by `prd`"), "{seen}");
    assert_eq!(seen["tools"]["list_findings"]["outputSchema"], true);
    assert_eq!(seen["tools"]["get_matrix"]["outputSchema"], true);
    // Results the SDK validated against the output schemas (it raises when one does not fit).
    let first = &seen["findings_first"]["structuredContent"];
    assert_eq!(first["findings"].as_array().unwrap().len(), 2);
    let whole = check_json(&dir);
    let warnings = whole["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "info")
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(first["count"], warnings.len());
    let next = &seen["findings_next"]["structuredContent"]["findings"];
    assert_eq!(next.as_array().unwrap()[..], warnings[2..4]);
    assert_eq!(
        seen["matrix"]["structuredContent"]["rows"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert!(
        seen["context"]["text"]
            .as_str()
            .unwrap()
            .starts_with("# Context for `prd`")
    );
    assert_eq!(seen["wrong_type"]["isError"], true);
    assert_eq!(
        seen["wrong_type"]["text"],
        "`artifact` must be a string, not 5"
    );
    assert_eq!(seen["unknown_argument"]["isError"], true);
    let uris = seen["resources"]["uris"].as_array().unwrap();
    assert_eq!(uris.len(), whole["artifacts"].as_array().unwrap().len() + 1);
    assert_eq!(uris[0], "handoff://check");
    assert_eq!(seen["check"]["summary"], whole["summary"]);
}

/// The code, message and id of an error response, after checking its shape.
fn error_of(reply: &Value) -> (i64, String, Value) {
    assert_eq!(reply["jsonrpc"], "2.0", "{reply}");
    let object = reply.as_object().unwrap();
    assert!(
        object.contains_key("id"),
        "an error response carries an id: {reply}"
    );
    (
        reply["error"]["code"]
            .as_i64()
            .unwrap_or_else(|| panic!("{reply}")),
        reply["error"]["message"].as_str().unwrap().to_string(),
        reply["id"].clone(),
    )
}

#[test]
fn mcp_answers_every_malformed_line_and_keeps_serving() {
    let (_tmp, dir) = demo();
    let mut mcp = initialized(&dir);
    let deep = format!(
        r#"{{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{{"name":"get_matrix","arguments":{{"x":{}{}}}}}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    let huge = format!(
        r#"{{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{{"name":"get_context","arguments":{{"artifact":"{}"}}}}}}"#,
        "x".repeat(3 << 20)
    );
    let cases: Vec<(&str, Vec<u8>, i64, Value, &str)> =
        vec![
        ("not JSON", b"hello".to_vec(), -32700, Value::Null, "Parse error"),
        (
            "cut short",
            br#"{"jsonrpc":"2.0","id":2,"method":"tools/list""#.to_vec(),
            -32700,
            json!(2),
            "Parse error",
        ),
        (
            "no method",
            br#"{"jsonrpc":"2.0","id":3}"#.to_vec(),
            -32600,
            json!(3),
            "Invalid Request",
        ),
        ("a batch", b"[1,2]".to_vec(), -32600, Value::Null, "Invalid Request"),
        (
            "not UTF-8",
            b"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\",\"params\":{\"x\":\"\xff\"}}"
                .to_vec(),
            -32700,
            json!(5),
            "UTF-8",
        ),
        ("too deep", deep.into_bytes(), -32700, json!(7), "deeper than 64 levels"),
        ("oversized", huge.into_bytes(), -32600, json!(8), "1048576 bytes"),
    ];
    for (what, line, code, id, says) in cases {
        mcp.send_raw(&line);
        let reply = mcp.next(what);
        let (got_code, message, got_id) = error_of(&reply);
        assert_eq!((got_code, &got_id), (code, &id), "{what}: {reply}");
        assert!(message.contains(says), "{what}: {message}");
        // The server keeps serving after each.
        let tools = mcp.request("tools/list", json!({}));
        assert!(tools["result"]["tools"].is_array(), "after {what}: {tools}");
    }
    // A malformed notification is not answered: the next line is the next request's.
    mcp.send_raw(br#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":7}"#);
    let tools = mcp.request("tools/list", json!({}));
    assert!(tools["result"]["tools"].is_array());
    // An unknown method keeps its id.
    mcp.send_raw(br#"{"jsonrpc":"2.0","id":"m","method":"nope"}"#);
    let (code, _, id) = error_of(&mcp.next("an unknown method"));
    assert_eq!((code, id), (-32601, json!("m")));
}

#[test]
fn mcp_answers_a_last_line_without_its_line_break() {
    let (_tmp, dir) = demo();
    let mut mcp = McpSession::start(&dir);
    // The input ends in the middle of a request: it is answered, not dropped.
    let mut stdin = mcp.child.stdin.take().unwrap();
    stdin
        .write_all(br#"{"jsonrpc":"2.0","id":41,"method":"initialize","params":{"#)
        .unwrap();
    drop(stdin);
    let reply = mcp.next("a request cut short");
    assert_eq!(error_of(&reply).0, -32700, "{reply}");
    assert_eq!(reply["id"], 41);
}

/// A handoff of `n` artifacts at paths that do not exist (each `missing`, and more), over
/// four roles, without a document to read: large quickly.
fn wide_handoff(n: usize) -> TestRepo {
    use std::fmt::Write as _;
    let repo = TestRepo::new();
    let mut yaml = String::from("version: 1\nname: Wide\nroles:\n");
    for r in 0..4 {
        writeln!(
            yaml,
            "  r{r}: {{ title: R{r}, people: [p{r}@example.com] }}"
        )
        .unwrap();
    }
    yaml.push_str("artifacts:\n");
    for i in 0..n {
        writeln!(
            yaml,
            "  - id: a{i}\n    path: docs/a{i}.md\n    owner: r{}\n    reviewers: [r{}]",
            i % 4,
            (i + 1) % 4
        )
        .unwrap();
    }
    repo.write("handoff.yaml", &yaml);
    repo.commit("A wide handoff");
    repo
}

#[test]
fn mcp_serves_large_answers_in_pages_that_add_up_to_the_whole() {
    let n = 2_500;
    let repo = wide_handoff(n);
    let whole = check_json(repo.path());
    let all_findings = whole["findings"].as_array().unwrap();
    let mut mcp = initialized(repo.path());

    // list_findings: a page by default; walking the cursors gives check's findings, in order.
    let first = mcp.request(
        "tools/call",
        json!({ "name": "list_findings", "arguments": {} }),
    );
    let first = &first["result"]["structuredContent"];
    assert_eq!(first["count"], all_findings.len());
    assert_eq!(first["findings"].as_array().unwrap().len(), 100);
    let mut walked: Vec<Value> = Vec::new();
    let mut arguments = json!({ "limit": 1000 });
    loop {
        let page = mcp.request(
            "tools/call",
            json!({ "name": "list_findings", "arguments": arguments }),
        );
        let page = &page["result"]["structuredContent"];
        walked.extend(page["findings"].as_array().unwrap().iter().cloned());
        match page.get("next_cursor") {
            Some(next) => arguments["cursor"] = next.clone(),
            None => break,
        }
    }
    assert_eq!(&walked, all_findings);
    for bad in [
        json!({ "limit": 0 }),
        json!({ "limit": 1001 }),
        json!({ "cursor": "x" }),
    ] {
        let refused = mcp.request(
            "tools/call",
            json!({ "name": "list_findings", "arguments": bad }),
        );
        assert_eq!(refused["result"]["isError"], true, "{bad}: {refused}");
    }

    // get_matrix: rows in pages; with the largest page, the whole of `matrix --format json`.
    let matrix: Value =
        serde_json::from_str(&run(repo.path(), &["matrix", "--format", "json"]).stdout).unwrap();
    let page = mcp.request(
        "tools/call",
        json!({ "name": "get_matrix", "arguments": {} }),
    );
    let page = &page["result"]["structuredContent"];
    assert_eq!(page["count"], n);
    assert_eq!(page["rows"].as_array().unwrap().len(), 1_000);
    assert_eq!(page["next_cursor"], "1000");
    let page = mcp.request(
        "tools/call",
        json!({ "name": "get_matrix", "arguments": { "limit": 5000 } }),
    );
    let page = &page["result"]["structuredContent"];
    assert_eq!(page["rows"], matrix["rows"]);
    assert_eq!(page["roles"], matrix["roles"]);
    assert!(page.get("next_cursor").is_none());

    // resources/list: pages of 1,000 following nextCursor, the check report first.
    let mut uris: Vec<String> = Vec::new();
    let mut params = json!({});
    loop {
        let listed = mcp.request("resources/list", params);
        let result = &listed["result"];
        let page = result["resources"].as_array().unwrap();
        assert!(page.len() <= 1_000);
        uris.extend(page.iter().map(|r| r["uri"].as_str().unwrap().to_string()));
        match result.get("nextCursor") {
            Some(next) => params = json!({ "cursor": next }),
            None => break,
        }
    }
    assert_eq!(uris.len(), n + 1);
    assert_eq!(uris[0], "handoff://check");
    assert_eq!(uris[n], format!("handoff://artifact/a{}", n - 1));

    // handoff://check: pages of 1,000 artifacts, each naming the next; together, check's.
    let mut uri = "handoff://check".to_string();
    let mut artifacts: Vec<Value> = Vec::new();
    let mut findings: Vec<Value> = Vec::new();
    let mut numbers = Vec::new();
    loop {
        let read = mcp.request("resources/read", json!({ "uri": uri }));
        let text = read["result"]["contents"][0]["text"].as_str().unwrap();
        let page: Value = serde_json::from_str(text).unwrap();
        assert_eq!(page["summary"], whole["summary"]);
        numbers.push(page["page"]["number"].clone());
        artifacts.extend(page["artifacts"].as_array().unwrap().iter().cloned());
        findings.extend(page["findings"].as_array().unwrap().iter().cloned());
        match page["page"]["next"].as_str() {
            Some(next) => uri = next.to_string(),
            None => break,
        }
    }
    assert_eq!(numbers, [1, 2, 3]);
    assert_eq!(&artifacts, whole["artifacts"].as_array().unwrap());
    assert_eq!(&findings, all_findings);
    let beyond = mcp.request("resources/read", json!({ "uri": "handoff://check?page=4" }));
    assert!(
        beyond["error"]["message"]
            .as_str()
            .unwrap()
            .contains("3 pages"),
        "{beyond}"
    );
}

/// The peak resident set of a running process, in KiB (Linux).
#[cfg(target_os = "linux")]
fn peak_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// No answer makes the server hold much more than the handoff itself: the answers that used
/// to grow with the whole index (every finding, the whole matrix, the whole check report)
/// stay near what one context page costs.
#[cfg(target_os = "linux")]
#[test]
fn mcp_memory_stays_near_the_handoffs_own() {
    let repo = wide_handoff(6_000);
    let peak_after = |requests: &[(&str, Value)]| {
        let mut mcp = initialized(repo.path());
        for (method, params) in requests {
            let answer = mcp.request(method, params.clone());
            assert!(answer.get("result").is_some(), "{method}: {answer}");
        }
        peak_kib(mcp.child.id())
    };
    let baseline = peak_after(&[(
        "tools/call",
        json!({ "name": "get_context", "arguments": { "artifact": "a0" } }),
    )]);
    for (what, method, params) in [
        (
            "list_findings",
            "tools/call",
            json!({ "name": "list_findings", "arguments": {} }),
        ),
        (
            "get_matrix",
            "tools/call",
            json!({ "name": "get_matrix", "arguments": {} }),
        ),
        (
            "the check report",
            "resources/read",
            json!({ "uri": "handoff://check" }),
        ),
        ("resources/list", "resources/list", json!({})),
    ] {
        let peak = peak_after(&[(method, params)]);
        assert!(
            peak * 2 <= baseline * 3,
            "{what}: peak {peak} KiB, against {baseline} KiB for a context page"
        );
    }
}
