namespace OpenCkv.KeyTransparency.Verification;

/// <summary>
/// A KEYTRANS response failed verification: which check (<see cref="Failure"/>), where, and the values compared,
/// so the evidence can be shown to a user or an auditor.
/// </summary>
public sealed class KtVerificationException : Exception
{
    /// <summary>Creates the exception with the failed check and the values compared.</summary>
    public KtVerificationException(VerificationFailure failure, string detail, Hash32? expected = null, Hash32? actual = null)
        : base($"{failure}: {detail}" + (expected is { } e && actual is { } a ? $" (expected {e}, computed {a})" : string.Empty))
    {
        Failure = failure;
        Detail = detail;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>Creates the exception for an inconsistent input.</summary>
    public KtVerificationException()
        : this(VerificationFailure.InconsistentInput, "verification failed")
    {
    }

    /// <summary>Creates the exception for an inconsistent input.</summary>
    public KtVerificationException(string message)
        : this(VerificationFailure.InconsistentInput, message)
    {
    }

    /// <summary>Creates the exception wrapping another.</summary>
    public KtVerificationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Failure = VerificationFailure.InconsistentInput;
        Detail = message;
    }

    /// <summary>The check that failed.</summary>
    public VerificationFailure Failure { get; }

    /// <summary>What was being checked, in words.</summary>
    public string Detail { get; }

    /// <summary>The value the check required, where there is one.</summary>
    public Hash32? Expected { get; }

    /// <summary>The value the response led to, where there is one.</summary>
    public Hash32? Actual { get; }
}
