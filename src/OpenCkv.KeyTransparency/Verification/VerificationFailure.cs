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
}
