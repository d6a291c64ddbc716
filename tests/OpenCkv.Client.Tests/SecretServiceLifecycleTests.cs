using System.Diagnostics;
using OpenCkv.Client.Secrets;

namespace OpenCkv.Client.Tests;

/// <summary>
/// A Secret Service whose keyring changes under the store — locked, or killed and restarted — each test on a
/// keyring of its own.
/// </summary>
public sealed class SecretServiceLifecycleTests
{
    [Fact]
    public void A_locked_collection_is_a_typed_error_at_once_not_a_prompt_or_a_hang()
    {
        using var daemon = new SecretServiceDaemon();
        var store = new SecretServiceStore("locked-profile", daemon.BusAddress, TimeSpan.FromSeconds(30));
        store.Put("signing", [1, 2, 3]);

        daemon.LockDefaultCollection();

        var watch = Stopwatch.StartNew();
        var read = Assert.Throws<SecretStoreLockedException>(() => store.Read("signing"));
        Assert.Contains("locked", read.Message, StringComparison.Ordinal);
        Assert.Throws<SecretStoreLockedException>(() => store.Put("signing", [4]));
        Assert.Throws<SecretStoreLockedException>(() => store.Delete("signing"));

        // Locked, the store cannot tell that a name has no secret: it says locked, never "none".
        Assert.Throws<SecretStoreLockedException>(() => store.Read("never-there"));
        Assert.Throws<SecretStoreLockedException>(() => store.Delete("never-there"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");

        // Unlocked again with its password (a new daemon unlocks the login keyring at start): the refused put and
        // delete changed nothing.
        daemon.KillAndRestartKeyring();
        Assert.Equal([1, 2, 3], store.Read("signing"));
    }

    [Fact]
    public void A_put_survives_the_keyring_daemon_being_killed_right_after()
    {
        using var daemon = new SecretServiceDaemon();
        var store = new SecretServiceStore("durable-profile", daemon.BusAddress);
        store.Put("signing", [7, 8, 9]);

        daemon.KillAndRestartKeyring();

        Assert.Equal([7, 8, 9], store.Read("signing"));
    }
}
