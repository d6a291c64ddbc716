using Tmds.DBus.Protocol;

namespace OpenCkv.Client.Secrets;

/// <summary>
/// Secrets in the desktop's key store through the freedesktop Secret Service API on the D-Bus session bus
/// (gnome-keyring, KeePassXC, KWallet): the OS key store of a Linux session. Each secret is one item of the default
/// collection, found by its attributes <c>application=openckv</c>, <c>profile=</c> the profile's id and
/// <c>name=</c> the secret's name (spec, "Collection and Items" and "Lookup Attributes"); the service keeps it
/// encrypted on disk (gnome-keyring under the user's login password).
/// </summary>
/// <remarks>
/// <para>
/// Every call opens its own connection and encrypted session and closes them before it returns, so a store holds
/// nothing between calls, needs no disposing, survives a restart of the key store, and may be used from several
/// threads. A call takes a few milliseconds.
/// </para>
/// <para>
/// Nothing here waits for a person. A locked collection throws <see cref="SecretStoreLockedException"/>; any other
/// prompt, a missing service or one slower than the timeout throws <see cref="SecretStoreUnavailableException"/>.
/// The app unlocks the key store (the desktop does so at login) and calls again.
/// </para>
/// <para>
/// <see cref="Put"/> is durable when the service is: gnome-keyring writes the collection to disk before it answers.
/// </para>
/// </remarks>
public sealed class SecretServiceStore : ISecretStore
{
    /// <summary>The value of the <c>application</c> attribute on every item this SDK stores.</summary>
    public const string Application = "openckv";

    /// <summary>How long one call may take before it fails, unless the constructor is given another.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly string _profile;
    private readonly string? _bus;
    private readonly TimeSpan _timeout;

    /// <summary>The secrets of the profile <paramref name="profile"/> in the Secret Service on a session bus.</summary>
    /// <param name="profile">A stable id of the profile; secrets of different ids never meet.</param>
    /// <param name="sessionBus">The bus address; <c>DBUS_SESSION_BUS_ADDRESS</c> when null.</param>
    /// <param name="timeout">How long one call may take; <see cref="DefaultTimeout"/> when null.</param>
    public SecretServiceStore(string profile, string? sessionBus = null, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(profile);
        _profile = profile;
        _bus = sessionBus ?? Environment.GetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS");
        _timeout = timeout ?? DefaultTimeout;
    }

    /// <summary>
    /// Whether a Secret Service answers on the session bus <paramref name="sessionBus"/> (a ping to its name, which
    /// also starts one the bus can activate) within <paramref name="timeout"/>. False without a bus address.
    /// </summary>
    public static bool IsAvailable(string? sessionBus, TimeSpan timeout)
    {
        if (string.IsNullOrEmpty(sessionBus))
        {
            return false;
        }

        try
        {
            Run(sessionBus, timeout, static async connection =>
            {
                await SecretServiceClient.PingAsync(connection).ConfigureAwait(false);
                return true;
            });
            return true;
        }
        catch (SecretStoreUnavailableException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    /// <exception cref="SecretStoreUnavailableException">No Secret Service answers, in time or at all.</exception>
    /// <exception cref="SecretStoreLockedException">The default collection is locked.</exception>
    public byte[]? Read(string name)
    {
        Dictionary<string, string> attributes = AttributesOf(name);
        return WithSession(async (client, collection) =>
        {
            ObjectPath[] items = await client.SearchAsync(collection, attributes).ConfigureAwait(false);
            return items.Length == 0 ? null : await client.GetSecretAsync(items[0]).ConfigureAwait(false);
        });
    }

    /// <inheritdoc />
    /// <exception cref="SecretStoreUnavailableException">No Secret Service answers, in time or at all, or it asks for a confirmation.</exception>
    /// <exception cref="SecretStoreLockedException">The default collection is locked.</exception>
    public void Put(string name, ReadOnlySpan<byte> value)
    {
        Dictionary<string, string> attributes = AttributesOf(name);
        byte[] copy = value.ToArray();
        try
        {
            WithSession(async (client, collection) =>
            {
                await client.CreateItemAsync(collection, $"OpenCKV {name} ({_profile})", attributes, copy).ConfigureAwait(false);
                return true;
            });
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(copy);
        }
    }

    /// <inheritdoc />
    /// <exception cref="SecretStoreUnavailableException">No Secret Service answers, in time or at all, or it asks for a confirmation.</exception>
    /// <exception cref="SecretStoreLockedException">The default collection is locked.</exception>
    public void Delete(string name)
    {
        Dictionary<string, string> attributes = AttributesOf(name);
        WithSession(async (client, collection) =>
        {
            foreach (ObjectPath item in await client.SearchAsync(collection, attributes).ConfigureAwait(false))
            {
                await client.DeleteAsync(item).ConfigureAwait(false);
            }

            return true;
        });
    }

    private Dictionary<string, string> AttributesOf(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new Dictionary<string, string>(StringComparer.Ordinal) { ["application"] = Application, ["profile"] = _profile, ["name"] = name };
    }

    private T WithSession<T>(Func<SecretServiceClient, ObjectPath, Task<T>> operation)
    {
        if (string.IsNullOrEmpty(_bus))
        {
            throw new SecretStoreUnavailableException(
                "This profile keeps its keys in the Secret Service, and there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set).");
        }

        return Run(_bus, _timeout, async connection =>
        {
            using var transport = new SecretTransport();
            SecretServiceClient client = await SecretServiceClient.OpenAsync(connection, transport).ConfigureAwait(false);
            try
            {
                return await operation(client, await client.DefaultCollectionAsync().ConfigureAwait(false)).ConfigureAwait(false);
            }
            finally
            {
                try
                {
                    await client.CloseAsync().ConfigureAwait(false);
                }
                catch (DBusExceptionBase)
                {
                    // The connection closes next, and the session with it.
                }
            }
        });
    }

    /// <summary>
    /// Runs <paramref name="operation"/> on a fresh connection to <paramref name="bus"/> and waits at most
    /// <paramref name="timeout"/>: the SDK's secret store calls are synchronous, and a key store that never answers
    /// must not hang them. Failures of the bus and the service become <see cref="SecretStoreUnavailableException"/>.
    /// </summary>
    private static T Run<T>(string bus, TimeSpan timeout, Func<DBusConnection, Task<T>> operation)
    {
        var connection = new DBusConnection(new DBusConnectionOptions(bus) { AutoConnect = false });
        try
        {
            Task<T> work = Task.Run(async () =>
            {
                await connection.ConnectAsync().ConfigureAwait(false);
                return await operation(connection).ConfigureAwait(false);
            });
            bool finished;
            try
            {
                finished = work.Wait(timeout);
            }
            catch (AggregateException)
            {
                finished = true;
            }

            if (!finished)
            {
                throw new SecretStoreUnavailableException($"The Secret Service on {bus} did not answer within {timeout.TotalSeconds:0.#} s.");
            }

            try
            {
                return work.GetAwaiter().GetResult();
            }
            catch (Exception e) when (Translate(e, bus) is { } translated)
            {
                throw translated;
            }
        }
        finally
        {
            connection.Dispose();
        }
    }

    private static SecretStoreUnavailableException? Translate(Exception e, string bus) => e switch
    {
        SecretStoreUnavailableException => null,
        DBusErrorReplyException { ErrorName: "org.freedesktop.Secret.Error.IsLocked" } reply =>
            new SecretStoreLockedException($"The Secret Service refused: its collection is locked ({reply.ErrorMessage}). Unlock the keyring and try again.", reply),
        DBusErrorReplyException { ErrorName: "org.freedesktop.DBus.Error.ServiceUnknown" or "org.freedesktop.DBus.Error.NameHasNoOwner" } reply =>
            new SecretStoreUnavailableException($"No Secret Service (org.freedesktop.secrets) runs on the session bus {bus}: {reply.ErrorMessage}", reply),
        DBusErrorReplyException reply =>
            new SecretStoreUnavailableException($"The Secret Service refused: {reply.ErrorName}: {reply.ErrorMessage}", reply),
        DBusConnectionException connection =>
            new SecretStoreUnavailableException($"The D-Bus session bus {bus} cannot be reached: {connection.Message}", connection),
        DBusExceptionBase other =>
            new SecretStoreUnavailableException($"The Secret Service's answer could not be used: {other.Message}", other),
        System.Net.Sockets.SocketException or IOException or ArgumentException =>
            new SecretStoreUnavailableException($"The D-Bus session bus {bus} cannot be reached: {e.Message}", e),
        _ => null,
    };
}
