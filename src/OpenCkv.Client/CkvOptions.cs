namespace OpenCkv.Client;

/// <summary>The SDK's settings.</summary>
public sealed record CkvOptions
{
    /// <summary>
    /// How long an unreachable log keeps a contact's last verified state before the contact turns to the warning
    /// <c>unavailable</c> (DESIGN §5). Must stay below the log's <c>max_behind</c>.
    /// </summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The fraction of outgoing messages that carry a signed distinguished-heads response for fork detection (DESIGN §5).</summary>
    public double GossipFraction { get; init; } = 1.0;

    /// <summary>
    /// How long the device passes on the distinguished-heads walk it fetched before it fetches a fresh one. Shorter
    /// catches a split view sooner at the cost of two walks per refresh.
    /// </summary>
    public TimeSpan GossipRefresh { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The secret store of a profile folder: where its private keys live. By default <see cref="Secrets.SecretStores.For(string)"/>:
    /// the Secret Service (the desktop's key store on Linux) when the session has one, else one file beside the profile
    /// readable by its owner alone, and always the store the profile started with. An app on a platform with another key
    /// store (Keychain, DPAPI, Android Keystore) plugs in its own.
    /// </summary>
    public Func<string, Secrets.ISecretStore> SecretStoreFor { get; init; } = static folder => Secrets.SecretStores.For(folder);
}
