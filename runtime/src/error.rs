//! Load and evaluation errors. Every variant has a Chinese and an English message and a stable code, so a
//! host can branch on the code and show the message.

use std::fmt;
use xince_abi::decode::RequestError;
use xince_abi::error::EvalErrorCode;
use xince_abi::output::OutputDecodeError;

/// Why a module was refused at load. Nothing of a refused module is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The bytes are not a valid WebAssembly module.
    InvalidWasm(String),
    /// The module has no `xince.manifest` custom section.
    NoManifest,
    /// The manifest section is not valid manifest JSON.
    BadManifest(String),
    /// More than one `xince.manifest` section.
    DuplicateManifest,
    /// The manifest names an ABI version this host does not speak.
    ManifestAbiVersion { found: u32 },
    /// The module imports something; the allowlist of imports is empty.
    ImportNotAllowed { module: String, name: String },
    /// A required export is absent.
    MissingExport { name: &'static str },
    /// A required export has the wrong kind or signature.
    WrongExportType { name: &'static str, expected: &'static str, found: String },
    /// The `xince_abi_version` global does not match this host's ABI version.
    AbiVersionGlobal { found: i64 },
    /// The module's initial memory is larger than the runtime's memory cap.
    InitialMemoryTooLarge { bytes: u64, limit_bytes: usize },
    /// Cranelift could not compile the module.
    Compile(String),
    /// The module could not be instantiated within the limits (e.g. its initial memory exceeds the cap).
    Instantiate(String),
    /// The runtime requires signed modules and this one is unsigned, tampered with, or signed by a key not
    /// trusted for its jurisdiction.
    Signature(xince_abi::signature::SignatureError),
    /// The module's integrity digest is missing, malformed or does not match its bytes.
    Digest(xince_abi::digest::DigestError),
    /// The module is larger than the runtime accepts.
    TooLarge { bytes: usize, limit_bytes: usize },
    /// The module defines more functions than the runtime accepts.
    TooManyFunctions { count: u32, limit: u32 },
    /// The module declares no memory maximum, or one above the ABI's 16 MiB cap.
    MemoryMaximum { bytes: Option<u64>, limit_bytes: u64 },
    /// Compiling the module took longer than the runtime allows.
    CompileTime { limit_ms: u128 },
}

impl LoadError {
    pub fn code(&self) -> &'static str {
        match self {
            LoadError::InvalidWasm(_) => "E_LOAD_INVALID_WASM",
            LoadError::NoManifest => "E_LOAD_NO_MANIFEST",
            LoadError::BadManifest(_) => "E_LOAD_BAD_MANIFEST",
            LoadError::DuplicateManifest => "E_LOAD_DUPLICATE_MANIFEST",
            LoadError::ManifestAbiVersion { .. } => "E_LOAD_MANIFEST_ABI",
            LoadError::ImportNotAllowed { .. } => "E_LOAD_IMPORT",
            LoadError::MissingExport { .. } => "E_LOAD_MISSING_EXPORT",
            LoadError::WrongExportType { .. } => "E_LOAD_EXPORT_TYPE",
            LoadError::AbiVersionGlobal { .. } => "E_LOAD_ABI_VERSION",
            LoadError::InitialMemoryTooLarge { .. } => "E_LOAD_MEMORY",
            LoadError::Compile(_) => "E_LOAD_COMPILE",
            LoadError::Instantiate(_) => "E_LOAD_INSTANTIATE",
            LoadError::Signature(_) => "E_LOAD_SIGNATURE",
            LoadError::Digest(e) => e.code(),
            LoadError::TooLarge { .. } => "E_LOAD_TOO_LARGE",
            LoadError::TooManyFunctions { .. } => "E_LOAD_TOO_MANY_FUNCTIONS",
            LoadError::MemoryMaximum { .. } => "E_LOAD_MEMORY",
            LoadError::CompileTime { .. } => "E_LOAD_COMPILE_TIME",
        }
    }

    pub fn message_zh(&self) -> String {
        let abi = xince_abi::ABI_VERSION;
        match self {
            LoadError::InvalidWasm(e) => format!("不是有效的 WebAssembly 模块：{e}"),
            LoadError::NoManifest => "模块缺少 xince.manifest 自定义段（不是 xince 编译的模块？）".into(),
            LoadError::BadManifest(e) => format!("xince.manifest 段内容无效：{e}"),
            LoadError::DuplicateManifest => "模块含有多个 xince.manifest 段".into(),
            LoadError::ManifestAbiVersion { found } => format!("清单的 ABI 版本为 {found}，本运行时只支持 {abi}"),
            LoadError::ImportNotAllowed { module, name } => {
                format!("模块导入了 {module}.{name}；xince 模块不得有任何导入（允许列表为空）")
            }
            LoadError::MissingExport { name } => format!("模块缺少必需的导出 {name}"),
            LoadError::WrongExportType { name, expected, found } => {
                format!("导出 {name} 的类型应为 {expected}，实际为 {found}")
            }
            LoadError::AbiVersionGlobal { found } => format!("全局 xince_abi_version 为 {found}，本运行时只支持 {abi}"),
            LoadError::InitialMemoryTooLarge { bytes, limit_bytes } => {
                format!("模块的初始内存 {bytes} 字节超过上限 {limit_bytes} 字节")
            }
            LoadError::Compile(e) => format!("模块编译失败：{e}"),
            LoadError::Instantiate(e) => format!("模块实例化失败：{e}"),
            // The signature error's own text is bilingual ("中文 / English").
            LoadError::Signature(e) => format!("签名验证未通过：{e}"),
            LoadError::Digest(e) => format!("完整性检查未通过：{e}"),
            LoadError::TooLarge { bytes, limit_bytes } => format!("模块 {bytes} 字节，超过上限 {limit_bytes} 字节"),
            LoadError::TooManyFunctions { count, limit } => format!("模块定义了 {count} 个函数，超过上限 {limit} 个"),
            LoadError::MemoryMaximum { bytes: Some(b), limit_bytes } => {
                format!("模块声明的内存上限 {b} 字节超过 ABI 的上限 {limit_bytes} 字节")
            }
            LoadError::MemoryMaximum { bytes: None, limit_bytes } => {
                format!("模块的内存没有声明上限（ABI 要求不超过 {limit_bytes} 字节）")
            }
            LoadError::CompileTime { limit_ms } => format!("模块编译超过 {limit_ms} 毫秒，已放弃"),
        }
    }

    pub fn message_en(&self) -> String {
        let abi = xince_abi::ABI_VERSION;
        match self {
            LoadError::InvalidWasm(e) => format!("not a valid WebAssembly module: {e}"),
            LoadError::NoManifest => "the module has no xince.manifest custom section (not built by xince?)".into(),
            LoadError::BadManifest(e) => format!("the xince.manifest section is invalid: {e}"),
            LoadError::DuplicateManifest => "the module has more than one xince.manifest section".into(),
            LoadError::ManifestAbiVersion { found } => {
                format!("the manifest declares ABI version {found}; this runtime speaks {abi}")
            }
            LoadError::ImportNotAllowed { module, name } => {
                format!("the module imports {module}.{name}; xince modules may import nothing (the allowlist is empty)")
            }
            LoadError::MissingExport { name } => format!("the module lacks the required export {name}"),
            LoadError::WrongExportType { name, expected, found } => {
                format!("export {name} should be {expected}, found {found}")
            }
            LoadError::AbiVersionGlobal { found } => {
                format!("global xince_abi_version is {found}; this runtime speaks {abi}")
            }
            LoadError::InitialMemoryTooLarge { bytes, limit_bytes } => {
                format!("the module's initial memory of {bytes} bytes exceeds the cap of {limit_bytes} bytes")
            }
            LoadError::Compile(e) => format!("compiling the module failed: {e}"),
            LoadError::Instantiate(e) => format!("instantiating the module failed: {e}"),
            LoadError::Signature(e) => format!("signature check failed: {e}"),
            LoadError::Digest(e) => format!("integrity check failed: {e}"),
            LoadError::TooLarge { bytes, limit_bytes } => {
                format!("the module is {bytes} bytes, above the limit of {limit_bytes}")
            }
            LoadError::TooManyFunctions { count, limit } => {
                format!("the module defines {count} functions, above the limit of {limit}")
            }
            LoadError::MemoryMaximum { bytes: Some(b), limit_bytes } => {
                format!("the module's declared memory maximum of {b} bytes exceeds the ABI cap of {limit_bytes}")
            }
            LoadError::MemoryMaximum { bytes: None, limit_bytes } => {
                format!("the module's memory declares no maximum (the ABI requires one of at most {limit_bytes} bytes)")
            }
            LoadError::CompileTime { limit_ms } => {
                format!("compiling the module took longer than {limit_ms} ms and was abandoned")
            }
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {} [{}]", self.message_zh(), self.message_en(), self.code())
    }
}

impl std::error::Error for LoadError {}

/// Why an evaluation produced no decision. After any of these the runtime keeps serving; an instance that
/// trapped or hit a limit is discarded.
#[derive(Debug, Clone, PartialEq)]
pub enum EvalError {
    /// The request could not be encoded for this module (unknown vocabulary value, bad date, …). Boxed: the
    /// error is returned by value on every evaluation's path, so it is kept to two words.
    Request(Box<RequestError>),
    /// The module ran out of fuel (an endless or too long computation).
    OutOfFuel,
    /// The wall-clock deadline (epoch) passed.
    Timeout,
    /// The module tried to grow its memory beyond the cap.
    MemoryLimit { limit_bytes: usize },
    /// The module trapped (unreachable, out-of-bounds access, …).
    Trap(String),
    /// The module reported an error code (`xince_evaluate` returned non-zero).
    /// `record` is the index among the request's primary records the module named; `record_id` its `id`
    /// (filled in by [`EvalError::naming_record`] where the request is known).
    Module { code: EvalErrorCode, record: Option<usize>, record_id: Option<String> },
    /// The module returned a status code the ABI does not define.
    UnknownStatus(i32),
    /// The module's answer is malformed (bad magic, counts, out-of-range indexes, pointers outside memory).
    MalformedAnswer(String),
    /// Creating a fresh instance failed.
    Instantiate(String),
}

impl EvalError {
    pub fn code(&self) -> &'static str {
        match self {
            EvalError::Request(e) => e.code.name(),
            EvalError::OutOfFuel => "E_OUT_OF_FUEL",
            EvalError::Timeout => "E_TIMEOUT",
            EvalError::MemoryLimit { .. } => "E_MEMORY_LIMIT",
            EvalError::Trap(_) => "E_TRAP",
            EvalError::Module { code, .. } => code.name(),
            EvalError::UnknownStatus(_) => "E_UNKNOWN_STATUS",
            EvalError::MalformedAnswer(_) => "E_MALFORMED_ANSWER",
            EvalError::Instantiate(_) => "E_INSTANTIATE",
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            EvalError::Request(e) => format!("{}：{}", e.path, e.message_zh),
            EvalError::OutOfFuel => "模块计算量超出上限（燃料耗尽），已终止".into(),
            EvalError::Timeout => "模块运行超时，已终止".into(),
            EvalError::MemoryLimit { limit_bytes } => format!("模块申请的内存超过上限 {limit_bytes} 字节，已终止"),
            EvalError::Trap(t) => format!("模块运行异常终止：{t}"),
            EvalError::Module { code, record, record_id } => match (record_id, record) {
                (Some(id), _) => format!("{}（记录 {id}）", code.message_zh()),
                (None, Some(r)) => format!("{}（第 {r} 条主要记录）", code.message_zh()),
                (None, None) => code.message_zh().to_string(),
            },
            EvalError::UnknownStatus(s) => format!("模块返回了未定义的状态码 {s}"),
            EvalError::MalformedAnswer(e) => format!("模块的输出格式错误：{e}"),
            EvalError::Instantiate(e) => format!("创建模块实例失败：{e}"),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            EvalError::Request(e) => format!("{}: {}", e.path, e.message_en),
            EvalError::OutOfFuel => "the module exceeded its computation budget (out of fuel) and was stopped".into(),
            EvalError::Timeout => "the module exceeded its time limit and was stopped".into(),
            EvalError::MemoryLimit { limit_bytes } => {
                format!("the module tried to grow memory beyond {limit_bytes} bytes and was stopped")
            }
            EvalError::Trap(t) => format!("the module trapped: {t}"),
            EvalError::Module { code, record, record_id } => match (record_id, record) {
                (Some(id), _) => format!("{} (record {id})", code.message_en()),
                (None, Some(r)) => format!("{} (primary record {r})", code.message_en()),
                (None, None) => code.message_en().to_string(),
            },
            EvalError::UnknownStatus(s) => format!("the module returned undefined status {s}"),
            EvalError::MalformedAnswer(e) => format!("the module's answer is malformed: {e}"),
            EvalError::Instantiate(e) => format!("creating a module instance failed: {e}"),
        }
    }
}

impl EvalError {
    /// A module error that names a record by its index among the primary records, with that record's `id`
    /// from `request` (the id the host knows it by). Other errors are returned unchanged.
    pub fn naming_record(self, request: &xince_abi::request::Request) -> EvalError {
        match self {
            EvalError::Module { code, record: Some(r), record_id: None } => {
                let record_id = xince_abi::decode::primary_records(request).get(r).map(|rec| rec.id.clone());
                EvalError::Module { code, record: Some(r), record_id }
            }
            other => other,
        }
    }

    /// The JSON path of the record a module error names, `subject.records[k]`, when the request is known.
    pub fn record_path(&self, request: &xince_abi::request::Request) -> Option<String> {
        let EvalError::Module { record: Some(r), .. } = self else { return None };
        let primary = xince_abi::decode::primary_records(request);
        let target = primary.get(*r)?;
        let k = request.subject.records.iter().position(|rec| std::ptr::eq(rec, *target))?;
        Some(format!("subject.records[{k}]"))
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let EvalError::MalformedAnswer(detail) = self {
            // The detail is already bilingual.
            return write!(f, "模块的输出格式错误 / the module's answer is malformed: {detail} [{}]", self.code());
        }
        write!(f, "{} / {} [{}]", self.message_zh(), self.message_en(), self.code())
    }
}

impl std::error::Error for EvalError {}

impl From<RequestError> for EvalError {
    fn from(e: RequestError) -> Self {
        EvalError::Request(Box::new(e))
    }
}

impl From<OutputDecodeError> for EvalError {
    fn from(e: OutputDecodeError) -> Self {
        EvalError::MalformedAnswer(e.to_string())
    }
}
