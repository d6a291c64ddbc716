namespace OpenCkv.KeyTransparency;

/// <summary>The revision of the KEYTRANS protocol draft this library implements, pinned in one place.</summary>
public static class KtDraft
{
    /// <summary>draft-ietf-keytrans-protocol, editor's copy at commit 526cc8a (2026-08-18).</summary>
    public const string ProtocolRevision = "draft-ietf-keytrans-protocol editor's copy 526cc8a (2026-08-18)";

    /// <summary>draft-ietf-keytrans-architecture-09.</summary>
    public const string ArchitectureRevision = "draft-ietf-keytrans-architecture-09";
}
