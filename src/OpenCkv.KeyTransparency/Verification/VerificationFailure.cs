namespace OpenCkv.KeyTransparency.Verification;

/// <summary>Which check of a KEYTRANS response failed.</summary>
public enum VerificationFailure
{
    /// <summary>A proof ran out of elements before the computation finished.</summary>
    ProofTooShort = 1,

    /// <summary>A proof had elements left after the computation finished.</summary>
    ProofTooLong,

    /// <summary>A subtree head the client retained was recomputed to a different value (KT §12.1).</summary>
    RetainedValueMismatch,

    /// <summary>The computed root differs from the root the signed tree head commits to.</summary>
    RootMismatch,

    /// <summary>A request or response is internally inconsistent (sizes, positions, counts).</summary>
    InconsistentInput,

    /// <summary>A tree head's or auditor head's signature does not verify.</summary>
    SignatureInvalid,

    /// <summary>A VRF proof in a binary ladder does not verify.</summary>
    VrfProofInvalid,

    /// <summary>Timestamps are not monotonic in log order (KT §4, §12.3).</summary>
    TimestampsNotMonotonic,

    /// <summary>The rightmost timestamp is further from the local clock than max_ahead / max_behind allow (KT §4.2).</summary>
    TreeHeadNotFresh,

    /// <summary>The new tree is not larger than the one the client advertised (KT §11.4).</summary>
    TreeSizeRollback,

    /// <summary>A ladder contradicts the claimed greatest version, or a claimed version is missing (KT §6.3).</summary>
    VersionMismatch,

    /// <summary>A monitoring ladder shows a monitored version, or a version below it, absent (KT §8.1, §8.2).</summary>
    MonitoredVersionMissing,

    /// <summary>The auditor's head is older than max_auditor_lag before the rightmost entry, or after it (KT §11.3 step 2).</summary>
    AuditorHeadNotFresh,
}
