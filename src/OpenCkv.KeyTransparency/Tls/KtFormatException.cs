namespace OpenCkv.KeyTransparency.Tls;

/// <summary>
/// Bytes that are not a valid TLS-presentation encoding of the expected KEYTRANS structure: truncated, trailing
/// data, a presence byte other than 0/1, an unknown enum value, a length over its limit. Carries where it failed.
/// </summary>
public sealed class KtFormatException : Exception
{
    /// <summary>Creates the exception for a failure at <paramref name="offset"/>.</summary>
    public KtFormatException(string reason, int offset)
        : base($"Malformed KEYTRANS encoding at byte {offset}: {reason}")
    {
        Reason = reason;
        Offset = offset;
    }

    /// <summary>Creates the exception without a position.</summary>
    public KtFormatException()
        : this("malformed input", 0)
    {
    }

    /// <summary>Creates the exception with a message and no position.</summary>
    public KtFormatException(string message)
        : this(message, 0)
    {
    }

    /// <summary>Creates the exception wrapping another.</summary>
    public KtFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    /// <summary>What was wrong, without the position.</summary>
    public string Reason { get; } = string.Empty;

    /// <summary>Byte offset into the decoded buffer where the problem was found.</summary>
    public int Offset { get; }
}
