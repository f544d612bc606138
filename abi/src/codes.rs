//! Every stable code a host can receive from the host path, the runtime, bundles, batches, the file loader and
//! the precompiled cache, in one table: the code, its stage and its title in Chinese and English. Each code has a
//! page `docs/errors/<code>.md`; `tests/error_codes.rs` checks the pages and that every code the sources emit is
//! here. (Compiler diagnostics, `E0101`…, have their own pages and the same check.)

/// Where a code comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The request does not fit the module (`decode`).
    Request,
    /// The module refused to decide (`xince_evaluate` returned an error code).
    Evaluation,
    /// The sandbox stopped or refused an evaluation.
    Runtime,
    /// A module was refused at load.
    Load,
    /// Choosing the policy in force from a bundle.
    Bundle,
    /// Batch evaluation.
    Batch,
    /// Reading files.
    Files,
    /// The precompiled-module cache (warnings: loading goes on).
    Cache,
    /// The HTTP decision service (`xince serve`): bodies, access, limits, the decision log.
    Service,
}

/// A stable code and its title.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostCode {
    pub code: &'static str,
    pub stage: Stage,
    pub title_zh: &'static str,
    pub title_en: &'static str,
}

/// The table.
pub const HOST_CODES: [HostCode; 81] = [
    HostCode {
        code: "E_LOAD_NO_DIGEST",
        stage: Stage::Load,
        title_zh: "模块缺少完整性摘要",
        title_en: "the module has no integrity digest",
    },
    HostCode {
        code: "E_LOAD_BAD_DIGEST",
        stage: Stage::Load,
        title_zh: "完整性摘要段格式错误或位置不对",
        title_en: "the integrity digest is malformed or misplaced",
    },
    HostCode {
        code: "E_LOAD_DIGEST_MISMATCH",
        stage: Stage::Load,
        title_zh: "模块内容与其完整性摘要不符",
        title_en: "the module does not match its integrity digest",
    },
    HostCode {
        code: "E_LOAD_TOO_LARGE",
        stage: Stage::Load,
        title_zh: "模块超过大小上限",
        title_en: "the module is larger than the limit",
    },
    HostCode {
        code: "E_LOAD_TOO_MANY_FUNCTIONS",
        stage: Stage::Load,
        title_zh: "模块的函数个数超过上限",
        title_en: "the module defines too many functions",
    },
    HostCode {
        code: "E_LOAD_COMPILE_TIME",
        stage: Stage::Load,
        title_zh: "模块编译超时",
        title_en: "compiling the module took too long",
    },
    HostCode {
        code: "E_REQ_TOO_LARGE",
        stage: Stage::Request,
        title_zh: "请求超过大小或条数上限",
        title_en: "the request is over a size or count limit",
    },
    HostCode {
        code: "E_OUT_IS_INPUT",
        stage: Stage::Files,
        title_zh: "输出文件就是输入文件",
        title_en: "the output file is an input",
    },
    HostCode {
        code: "E_OUT_PATH",
        stage: Stage::Files,
        title_zh: "无法决定输出位置",
        title_en: "no place for the output under the output directory",
    },
    HostCode {
        code: "E_REQ_JSON",
        stage: Stage::Request,
        title_zh: "请求不是合法的 JSON",
        title_en: "the request is not valid JSON",
    },
    HostCode {
        code: "E_REQ_SHAPE",
        stage: Stage::Request,
        title_zh: "请求的结构不对",
        title_en: "the request has the wrong shape",
    },
    HostCode {
        code: "E_REQ_VOCAB",
        stage: Stage::Request,
        title_zh: "不是词表中的值",
        title_en: "not a value of the vocabulary",
    },
    HostCode { code: "E_REQ_DATE", stage: Stage::Request, title_zh: "日期无效", title_en: "invalid date" },
    HostCode {
        code: "E_REQ_MISSING",
        stage: Stage::Request,
        title_zh: "缺少该类记录必需的字段",
        title_en: "a field this record type requires is missing",
    },
    HostCode {
        code: "E_REQ_MISPLACED",
        stage: Stage::Request,
        title_zh: "该类记录不应有此字段",
        title_en: "a field that does not belong on this record type",
    },
    HostCode {
        code: "E_REQ_DUPLICATE_ID",
        stage: Stage::Request,
        title_zh: "记录编号重复",
        title_en: "duplicate record id",
    },
    HostCode {
        code: "E_REQ_UNKNOWN_OF",
        stage: Stage::Request,
        title_zh: "of 指向不存在的记录",
        title_en: "of names no record of this subject",
    },
    HostCode {
        code: "E_REQ_DUPLICATE_OF",
        stage: Stage::Request,
        title_zh: "同一记录有两条异议或两条修复",
        title_en: "two objections or two repairs for one record",
    },
    HostCode {
        code: "E_REQ_BITSET",
        stage: Stage::Request,
        title_zh: "词表超出位集合容量",
        title_en: "a vocabulary exceeds its bit set",
    },
    HostCode {
        code: "E_BAD_INPUT",
        stage: Stage::Evaluation,
        title_zh: "模块收到的输入编码无效",
        title_en: "malformed input encoding",
    },
    HostCode {
        code: "E_NOT_YET_IN_FORCE",
        stage: Stage::Evaluation,
        title_zh: "评估日期早于政策生效日期",
        title_en: "the evaluation date is before the policy took effect",
    },
    HostCode {
        code: "E_NO_LONGER_IN_FORCE",
        stage: Stage::Evaluation,
        title_zh: "评估日期晚于政策失效日期",
        title_en: "the evaluation date is after the policy ended",
    },
    HostCode {
        code: "E_CALENDAR_RANGE",
        stage: Stage::Evaluation,
        title_zh: "工作日计算超出日历范围",
        title_en: "working-day arithmetic left the calendar",
    },
    HostCode {
        code: "E_NO_REGIME",
        stage: Stage::Evaluation,
        title_zh: "记录早于已知的任何修复制度",
        title_en: "a record predates every known repair regime",
    },
    HostCode {
        code: "E_INPUT_TOO_LARGE",
        stage: Stage::Evaluation,
        title_zh: "输入超出模块内存上限",
        title_en: "the input exceeds the module's memory",
    },
    HostCode {
        code: "E_OUT_OF_FUEL",
        stage: Stage::Runtime,
        title_zh: "计算量超出限额",
        title_en: "the evaluation ran out of fuel",
    },
    HostCode {
        code: "E_TIMEOUT", stage: Stage::Runtime, title_zh: "评估超时", title_en: "the evaluation timed out"
    },
    HostCode {
        code: "E_MEMORY_LIMIT",
        stage: Stage::Runtime,
        title_zh: "模块内存超出上限",
        title_en: "the module hit its memory cap",
    },
    HostCode {
        code: "E_TRAP",
        stage: Stage::Runtime,
        title_zh: "模块执行出错（陷阱）",
        title_en: "the module trapped",
    },
    HostCode {
        code: "E_UNKNOWN_STATUS",
        stage: Stage::Runtime,
        title_zh: "模块返回了未定义的状态码",
        title_en: "the module returned an undefined status",
    },
    HostCode {
        code: "E_MALFORMED_ANSWER",
        stage: Stage::Runtime,
        title_zh: "模块的答案格式错误",
        title_en: "the module's answer is malformed",
    },
    HostCode {
        code: "E_INSTANTIATE",
        stage: Stage::Runtime,
        title_zh: "无法实例化模块",
        title_en: "the module cannot be instantiated",
    },
    HostCode {
        code: "E_BATCH_DISAGREES",
        stage: Stage::Runtime,
        title_zh: "批量评估中同一输入得到不同答案",
        title_en: "one input got different answers within one batch",
    },
    HostCode {
        code: "E_LOAD_INVALID_WASM",
        stage: Stage::Load,
        title_zh: "不是合法的 WebAssembly 模块",
        title_en: "not a valid WebAssembly module",
    },
    HostCode {
        code: "E_LOAD_NO_MANIFEST",
        stage: Stage::Load,
        title_zh: "模块没有清单",
        title_en: "the module has no manifest",
    },
    HostCode {
        code: "E_LOAD_BAD_MANIFEST",
        stage: Stage::Load,
        title_zh: "模块清单无效",
        title_en: "the module's manifest is invalid",
    },
    HostCode {
        code: "E_LOAD_DUPLICATE_MANIFEST",
        stage: Stage::Load,
        title_zh: "模块有两个清单",
        title_en: "the module has two manifests",
    },
    HostCode {
        code: "E_LOAD_MANIFEST_ABI",
        stage: Stage::Load,
        title_zh: "清单的 ABI 版本不受支持",
        title_en: "the manifest's ABI version is not supported",
    },
    HostCode {
        code: "E_LOAD_ABI_VERSION",
        stage: Stage::Load,
        title_zh: "模块的 ABI 版本不受支持",
        title_en: "the module's ABI version is not supported",
    },
    HostCode {
        code: "E_LOAD_IMPORT",
        stage: Stage::Load,
        title_zh: "模块有导入",
        title_en: "the module imports something",
    },
    HostCode {
        code: "E_LOAD_MISSING_EXPORT",
        stage: Stage::Load,
        title_zh: "模块缺少必需的导出",
        title_en: "the module lacks a required export",
    },
    HostCode {
        code: "E_LOAD_EXPORT_TYPE",
        stage: Stage::Load,
        title_zh: "导出的类型不对",
        title_en: "an export has the wrong type",
    },
    HostCode {
        code: "E_LOAD_MEMORY",
        stage: Stage::Load,
        title_zh: "模块初始内存超出上限",
        title_en: "the module's initial memory is above the cap",
    },
    HostCode {
        code: "E_LOAD_COMPILE",
        stage: Stage::Load,
        title_zh: "无法编译模块",
        title_en: "the module cannot be compiled",
    },
    HostCode {
        code: "E_LOAD_INSTANTIATE",
        stage: Stage::Load,
        title_zh: "无法实例化模块",
        title_en: "the module cannot be instantiated",
    },
    HostCode {
        code: "E_LOAD_SIGNATURE",
        stage: Stage::Load,
        title_zh: "模块签名无效或不受信任",
        title_en: "the module's signature is missing, invalid or untrusted",
    },
    HostCode {
        code: "E_SET_LOAD",
        stage: Stage::Bundle,
        title_zh: "政策包中的模块被拒绝",
        title_en: "a module of the bundle was refused",
    },
    HostCode {
        code: "E_SET_MANIFEST_DATE",
        stage: Stage::Bundle,
        title_zh: "清单中的生效日期无效",
        title_en: "a manifest's effective date is invalid",
    },
    HostCode {
        code: "E_SET_DATE",
        stage: Stage::Bundle,
        title_zh: "选择政策的日期无效",
        title_en: "invalid date for choosing a policy",
    },
    HostCode {
        code: "E_NO_POLICY",
        stage: Stage::Bundle,
        title_zh: "该日没有有效的政策",
        title_en: "no policy in force on that date",
    },
    HostCode {
        code: "E_POLICY_AMBIGUOUS",
        stage: Stage::Bundle,
        title_zh: "有多个同样适用的政策",
        title_en: "several policies fit equally",
    },
    HostCode {
        code: "E_OUTPUT", stage: Stage::Batch, title_zh: "无法写出决定", title_en: "cannot write the decision"
    },
    HostCode {
        code: "E_SCHEMA",
        stage: Stage::Batch,
        title_zh: "Arrow/Parquet 输入不符合主体模式",
        title_en: "Arrow/Parquet input is not in the subject schema",
    },
    HostCode { code: "E_ARROW", stage: Stage::Batch, title_zh: "Arrow 数据无效", title_en: "invalid Arrow data" },
    HostCode {
        code: "E_RUNTIME",
        stage: Stage::Runtime,
        title_zh: "无法启动运行时",
        title_en: "cannot start the runtime",
    },
    HostCode { code: "E_FILE_NOT_FOUND", stage: Stage::Files, title_zh: "找不到文件", title_en: "file not found" },
    HostCode {
        code: "E_FILE_IO", stage: Stage::Files, title_zh: "无法读取文件", title_en: "cannot read the file"
    },
    HostCode {
        code: "E_FILE_UTF8",
        stage: Stage::Files,
        title_zh: "文件不是 UTF-8 文本",
        title_en: "the file is not UTF-8 text",
    },
    HostCode {
        code: "W_CACHE_READ",
        stage: Stage::Cache,
        title_zh: "无法读取预编译缓存",
        title_en: "cannot read the precompiled cache",
    },
    HostCode {
        code: "W_CACHE_WRITE",
        stage: Stage::Cache,
        title_zh: "无法写入预编译缓存",
        title_en: "cannot write the precompiled cache",
    },
    HostCode {
        code: "W_CACHE_FORGED",
        stage: Stage::Cache,
        title_zh: "预编译缓存的校验码不符",
        title_en: "a precompiled artefact failed authentication",
    },
    HostCode {
        code: "W_CACHE_STALE",
        stage: Stage::Cache,
        title_zh: "预编译缓存不适用于本引擎",
        title_en: "a precompiled artefact does not fit this engine",
    },
    HostCode {
        code: "E_BODY_MALFORMED",
        stage: Stage::Service,
        title_zh: "请求体不是合法的 JSON",
        title_en: "the body is not valid JSON",
    },
    HostCode {
        code: "E_BODY_SHAPE",
        stage: Stage::Service,
        title_zh: "请求体的结构不对",
        title_en: "the body has the wrong shape",
    },
    HostCode {
        code: "E_BODY_TOO_LARGE",
        stage: Stage::Service,
        title_zh: "请求体超过上限",
        title_en: "the body exceeds the size limit",
    },
    HostCode {
        code: "E_BATCH_TOO_LARGE",
        stage: Stage::Service,
        title_zh: "批量请求过多",
        title_en: "too many requests in one batch",
    },
    HostCode {
        code: "E_AUTH_MISSING",
        stage: Stage::Service,
        title_zh: "缺少访问令牌",
        title_en: "missing access token",
    },
    HostCode {
        code: "E_AUTH_INVALID",
        stage: Stage::Service,
        title_zh: "访问令牌无效",
        title_en: "invalid access token",
    },
    HostCode {
        code: "E_FORBIDDEN_SCOPE",
        stage: Stage::Service,
        title_zh: "调用方没有该权限",
        title_en: "the caller lacks the scope",
    },
    HostCode {
        code: "E_FORBIDDEN_JURISDICTION",
        stage: Stage::Service,
        title_zh: "调用方无权查询该辖区",
        title_en: "the caller may not query the jurisdiction",
    },
    HostCode {
        code: "E_RATE_LIMITED",
        stage: Stage::Service,
        title_zh: "超过调用频率上限",
        title_en: "rate limit exceeded",
    },
    HostCode {
        code: "E_LOG_UNAVAILABLE",
        stage: Stage::Service,
        title_zh: "决定日志无法写入",
        title_en: "the decision log cannot be written",
    },
    HostCode {
        code: "E_REQUEST_TIMEOUT",
        stage: Stage::Service,
        title_zh: "请求处理超时",
        title_en: "the HTTP request timed out",
    },
    HostCode {
        code: "E_NOT_FOUND", stage: Stage::Service, title_zh: "没有这个接口", title_en: "no such endpoint"
    },
    HostCode {
        code: "E_METHOD", stage: Stage::Service, title_zh: "不支持此方法", title_en: "method not allowed"
    },
    HostCode {
        code: "E_QUERY", stage: Stage::Service, title_zh: "查询参数无效", title_en: "invalid query parameters"
    },
    HostCode {
        code: "E_POLICY_NOT_FOUND",
        stage: Stage::Service,
        title_zh: "没有该 id 的政策",
        title_en: "no policy with that id",
    },
    HostCode {
        code: "E_SELECT_MISSING",
        stage: Stage::Service,
        title_zh: "未指明政策",
        title_en: "no policy selection",
    },
    HostCode {
        code: "E_LOG_OFF",
        stage: Stage::Service,
        title_zh: "决定日志未开启",
        title_en: "the decision log is off",
    },
    HostCode {
        code: "E_INTERNAL",
        stage: Stage::Service,
        title_zh: "服务内部错误",
        title_en: "internal error of the service",
    },
    HostCode {
        code: "E_BUNDLE_EMPTY",
        stage: Stage::Service,
        title_zh: "政策包目录中没有模块",
        title_en: "no module in the bundle directory",
    },
];

/// The entry of `code`, if it is one.
pub fn host_code(code: &str) -> Option<&'static HostCode> {
    HOST_CODES.iter().find(|c| c.code == code)
}
