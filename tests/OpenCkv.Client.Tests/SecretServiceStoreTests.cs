using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using OpenCkv.Client.Secrets;

namespace OpenCkv.Client.Tests;

/// <summary>Secrets in a real Secret Service (gnome-keyring on a private session bus), spoken to over D-Bus.</summary>
public sealed class SecretServiceStoreTests(SecretServiceDaemon daemon) : IClassFixture<SecretServiceDaemon>
{
    private static string NewProfile() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private SecretServiceStore NewStore(string profile) => new(profile, daemon.BusAddress);

    [Fact]
    public void Secrets_are_put_read_replaced_and_deleted_and_a_new_store_sees_the_same()
    {
        string profile = NewProfile();
        SecretStoreContract.PutReadReplaceDeleteAndReopen(() => NewStore(profile));
    }

    [Fact]
    public void Replacing_a_secret_leaves_one_item_for_its_name()
    {
        string profile = NewProfile();
        SecretServiceStore store = NewStore(profile);
        store.Put("signing", "first"u8);
        store.Put("signing", "second"u8);
        store.Put("signing", "third"u8);

        (int exit, byte[] found) = daemon.SecretTool(["search", "--all", "--unlock", "application", "openckv", "profile", profile, "name", "signing"]);
        Assert.Equal(0, exit);
        string listing = Encoding.UTF8.GetString(found);
        Assert.Single(listing.Split('\n'), line => line.StartsWith("secret = ", StringComparison.Ordinal));
        Assert.Contains("secret = third\n", listing, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_byte_value_and_lengths_around_the_cipher_block_survive()
    {
        SecretServiceStore store = NewStore(NewProfile());
        byte[] everyByte = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        store.Put("every-byte", everyByte);
        Assert.Equal(everyByte, store.Read("every-byte"));

        byte[] reversed = everyByte.Reverse().ToArray();
        store.Put("every-byte", reversed);
        Assert.Equal(reversed, store.Read("every-byte"));

        foreach (int length in (int[])[1, 15, 16, 17, 32, 33, 1000])
        {
            byte[] value = RandomNumberGenerator.GetBytes(length);
            store.Put($"length-{length}", value);
            Assert.Equal(value, store.Read($"length-{length}"));
        }
    }

    [Fact]
    public void Two_profiles_do_not_see_each_others_secrets()
    {
        SecretServiceStore alice = NewStore(NewProfile());
        SecretServiceStore bob = NewStore(NewProfile());

        alice.Put("signing", [1]);
        Assert.Null(bob.Read("signing"));

        bob.Put("signing", [2]);
        Assert.Equal([1], alice.Read("signing"));
        Assert.Equal([2], bob.Read("signing"));

        alice.Delete("signing");
        Assert.Null(alice.Read("signing"));
        Assert.Equal([2], bob.Read("signing"));
    }

    [Fact]
    public void The_secret_is_an_item_of_the_keyring_that_libsecret_finds_and_the_other_way_round()
    {
        string profile = NewProfile();
        SecretServiceStore store = NewStore(profile);
        string[] lookup = ["lookup", "application", "openckv", "profile", profile, "name", "signing"];

        store.Put("signing", "put over D-Bus"u8);
        (int exit, byte[] found) = daemon.SecretTool(lookup);
        Assert.Equal(0, exit);
        Assert.Equal("put over D-Bus"u8.ToArray(), found);

        (int stored, _) = daemon.SecretTool(["store", "--label=by secret-tool", "application", "openckv", "profile", profile, "name", "request"], "stored by libsecret"u8.ToArray());
        Assert.Equal(0, stored);
        Assert.Equal("stored by libsecret"u8.ToArray(), store.Read("request"));

        store.Delete("signing");
        (int gone, byte[] nothing) = daemon.SecretTool(lookup);
        Assert.NotEqual(0, gone);
        Assert.Empty(nothing);
    }

    [Fact]
    public void The_keyring_on_disk_does_not_hold_the_secret_in_clear()
    {
        SecretServiceStore store = NewStore(NewProfile());
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        store.Put("signing", secret);

        string[] files = Directory.GetFiles(daemon.KeyringFolder, "*.keyring");
        Assert.NotEmpty(files);
        foreach (string file in files)
        {
            Assert.Equal(-1, File.ReadAllBytes(file).AsSpan().IndexOf(secret));
        }
    }

    [Fact]
    public void Hundreds_of_sessions_each_agree_on_their_key()
    {
        // Each call opens a session with fresh Diffie-Hellman keys; about one agreed value in 256 starts with a
        // zero byte, which must still be padded to the prime's length before HKDF, or that session's secret fails.
        SecretServiceStore store = NewStore(NewProfile());
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        store.Put("signing", secret);
        for (int i = 0; i < 600; i++)
        {
            Assert.Equal(secret, store.Read("signing"));
        }
    }

    [Fact]
    public void No_secret_service_on_the_bus_is_a_typed_error_not_a_hang()
    {
        using SecretServiceDaemon empty = SecretServiceDaemon.BusOnly();
        var store = new SecretServiceStore(NewProfile(), empty.BusAddress, TimeSpan.FromSeconds(5));
        var watch = Stopwatch.StartNew();

        var error = Assert.Throws<SecretStoreUnavailableException>(() => store.Read("signing"));
        Assert.Contains("org.freedesktop.secrets", error.Message, StringComparison.Ordinal);
        Assert.Throws<SecretStoreUnavailableException>(() => store.Put("signing", [1]));
        Assert.False(SecretServiceStore.IsAvailable(empty.BusAddress, TimeSpan.FromSeconds(5)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void No_bus_is_a_typed_error()
    {
        string nowhere = $"unix:path={Path.Combine(Path.GetTempPath(), "ckv-no-bus-" + NewProfile())}";

        Assert.Throws<SecretStoreUnavailableException>(() => new SecretServiceStore(NewProfile(), nowhere).Read("signing"));
        Assert.False(SecretServiceStore.IsAvailable(nowhere, TimeSpan.FromSeconds(2)));
        Assert.False(SecretServiceStore.IsAvailable(null, TimeSpan.FromSeconds(2)));
        Assert.False(SecretServiceStore.IsAvailable("not a bus address", TimeSpan.FromSeconds(2)));
        Assert.Throws<SecretStoreUnavailableException>(() => new SecretServiceStore(NewProfile(), "not a bus address").Put("signing", [1]));
    }
}
