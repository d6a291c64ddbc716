namespace OpenCkv.Client.Secrets;

/// <summary>
/// The key store holding the secrets is locked, and unlocking it needs a person (the Secret Service answered
/// <c>Unlock</c> with a prompt, or refused with <c>IsLocked</c>). Unlock it — usually by logging in, or in the
/// key store's own window — and call again.
/// </summary>
public sealed class SecretStoreLockedException : SecretStoreUnavailableException
{
    /// <summary>A locked store, described by <paramref name="message"/>.</summary>
    public SecretStoreLockedException(string message)
        : base(message)
    {
    }

    /// <summary>A locked store, described by <paramref name="message"/>, reported as <paramref name="inner"/>.</summary>
    public SecretStoreLockedException(string message, Exception? inner)
        : base(message, inner)
    {
    }
}
