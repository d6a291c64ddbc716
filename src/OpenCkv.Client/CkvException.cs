namespace OpenCkv.Client;

/// <summary>
/// The SDK refused or could not do what was asked; <see cref="Code"/> is a stable kebab-case reason
/// (for example <c>not-registered</c>, <c>requirements-not-met</c>, <c>contact-unknown</c>, <c>not-verified</c>).
/// </summary>
public sealed class CkvException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The stable reason.</summary>
    public string Code { get; } = code;
}
