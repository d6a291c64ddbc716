namespace OpenCkv.Client.Secrets;

/// <summary>
/// A secret store could not be used now: no key store answers, it took too long, it refused, or it needs a person
/// to answer a prompt. The SDK never waits for a person (an unlock dialog, a confirmation): it is a library, and a
/// hidden dialog would hang the app's call; the app unlocks the key store and calls again.
/// </summary>
/// <remarks>An <see cref="IOException"/>, so code that already handles a profile it cannot read handles this too.</remarks>
public class SecretStoreUnavailableException : IOException
{
    /// <summary>A failure described by <paramref name="message"/>.</summary>
    public SecretStoreUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>A failure described by <paramref name="message"/>, caused by <paramref name="inner"/>.</summary>
    public SecretStoreUnavailableException(string message, Exception? inner)
        : base(message, inner)
    {
    }
}
