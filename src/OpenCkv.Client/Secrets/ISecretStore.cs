namespace OpenCkv.Client.Secrets;

/// <summary>
/// Where a device keeps its private keys and the keychain's secrets: an OS key store where the platform has one,
/// a file only its owner can read otherwise (<see cref="FileSecretStore"/>). Never rows in the profile database,
/// which backups and support bundles copy freely.
/// </summary>
public interface ISecretStore
{
    /// <summary>The secret stored under <paramref name="name"/>, or null.</summary>
    byte[]? Read(string name);

    /// <summary>Stores <paramref name="value"/> under <paramref name="name"/>, replacing any earlier value; durable on return.</summary>
    void Put(string name, ReadOnlySpan<byte> value);

    /// <summary>Forgets the secret under <paramref name="name"/> (a signed-out device erases its keys).</summary>
    void Delete(string name);
}
