namespace OpenCkv.Client.Secrets;

/// <summary>
/// Chooses where a profile's private keys live: the OS key store where the session has one (the Secret Service
/// on a D-Bus session bus), a file only its owner can read otherwise. A profile keeps the store it started with,
/// so its secrets are never split across two.
/// </summary>
/// <remarks>
/// In order, for a profile folder:
/// <list type="number">
/// <item><c>secrets.json</c> in it: that file (<see cref="FileSecretStore"/>). Profiles made before the key store
/// was used, and profiles that chose the file, keep it.</item>
/// <item>A <c>secret-store</c> file in it: the Secret Service under the profile id recorded there, whether or not
/// one answers now (a call then fails with <see cref="SecretStoreUnavailableException"/> rather than start a
/// second store).</item>
/// <item>A new profile: <c>CKV_SECRET_STORE</c> decides — <c>file</c>, <c>secret-service</c> (fails when none
/// answers), or <c>auto</c> (also when unset or empty): the Secret Service when <c>DBUS_SESSION_BUS_ADDRESS</c>
/// is set and the service answers a ping within <see cref="PingTimeout"/>, the file otherwise. Choosing the Secret
/// Service writes the <c>secret-store</c> file at once.</item>
/// </list>
/// </remarks>
public static class SecretStores
{
    /// <summary>The environment variable that chooses the store of a new profile: <c>file</c>, <c>secret-service</c> or <c>auto</c>.</summary>
    public const string ChoiceVariable = "CKV_SECRET_STORE";

    /// <summary>The file of <see cref="FileSecretStore"/> in a profile folder.</summary>
    public const string FileName = "secrets.json";

    /// <summary>How long a new profile waits for the Secret Service to answer before it takes the file.</summary>
    public static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The store of <paramref name="folder"/>, chosen with this process's environment.</summary>
    /// <exception cref="SecretStoreUnavailableException"><c>CKV_SECRET_STORE</c> is not one of its values, or asks for a Secret Service that does not answer.</exception>
    /// <exception cref="InvalidDataException">The folder's <c>secret-store</c> file is damaged, or the folder holds both stores.</exception>
    public static ISecretStore For(string folder) =>
        For(folder, Environment.GetEnvironmentVariable(ChoiceVariable), Environment.GetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS"));

    /// <summary>The store of <paramref name="folder"/>, with the choice and bus address given rather than read from the environment.</summary>
    /// <param name="folder">The profile folder.</param>
    /// <param name="choice">What <c>CKV_SECRET_STORE</c> would say: <c>file</c>, <c>secret-service</c>, or <c>auto</c>/null/empty.</param>
    /// <param name="sessionBus">The D-Bus session bus address, or null for none.</param>
    /// <exception cref="SecretStoreUnavailableException"><paramref name="choice"/> is not one of its values, or asks for a Secret Service that does not answer.</exception>
    /// <exception cref="InvalidDataException">The folder's <c>secret-store</c> file is damaged, or the folder holds both stores.</exception>
    public static ISecretStore For(string folder, string? choice, string? sessionBus)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        string file = Path.Combine(folder, FileName);
        string? profile = SecretStoreMarker.Read(folder);
        if (File.Exists(file))
        {
            return profile is null
                ? new FileSecretStore(file)
                : throw new InvalidDataException(
                    $"{folder} holds both {FileName} and {SecretStoreMarker.FileName}: its secrets would be split across two stores. Keep the one the profile uses.");
        }

        if (profile is not null)
        {
            return new SecretServiceStore(profile, sessionBus);
        }

        switch (choice?.Trim().ToLowerInvariant())
        {
            case "file":
                return new FileSecretStore(file);
            case "secret-service":
                return SecretServiceStore.IsAvailable(sessionBus, PingTimeout)
                    ? new SecretServiceStore(SecretStoreMarker.Write(folder), sessionBus)
                    : throw new SecretStoreUnavailableException(
                        $"{ChoiceVariable}=secret-service, but no Secret Service answers on the D-Bus session bus ({(string.IsNullOrEmpty(sessionBus) ? "DBUS_SESSION_BUS_ADDRESS is not set" : sessionBus)}).");
            case null or "" or "auto":
                return SecretServiceStore.IsAvailable(sessionBus, PingTimeout)
                    ? new SecretServiceStore(SecretStoreMarker.Write(folder), sessionBus)
                    : new FileSecretStore(file);
            default:
                throw new SecretStoreUnavailableException($"{ChoiceVariable} is '{choice}'; it takes file, secret-service or auto.");
        }
    }
}
