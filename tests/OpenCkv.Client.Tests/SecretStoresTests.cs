using OpenCkv.Client.Secrets;

namespace OpenCkv.Client.Tests;

/// <summary>Which store a profile folder gets: the Secret Service where one answers, the file otherwise, and always the one it started with.</summary>
public sealed class SecretStoresTests(SecretServiceDaemon daemon) : IClassFixture<SecretServiceDaemon>, IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string SecretsFile => _folder.File("secrets.json");

    private string Marker => _folder.File("secret-store");

    [Fact]
    public void Without_a_session_bus_a_new_profile_gets_the_file()
    {
        ISecretStore store = SecretStores.For(_folder.Path, choice: null, sessionBus: null);

        Assert.IsType<FileSecretStore>(store);
        store.Put("signing", [1]);
        Assert.True(File.Exists(SecretsFile));
        Assert.False(File.Exists(Marker));
    }

    [Fact]
    public void A_bus_that_does_not_answer_gives_the_file()
    {
        string nowhere = $"unix:path={_folder.File("no-bus")}";
        Assert.IsType<FileSecretStore>(SecretStores.For(_folder.Path, "auto", nowhere));

        using SecretServiceDaemon busOnly = SecretServiceDaemon.BusOnly();
        Assert.IsType<FileSecretStore>(SecretStores.For(_folder.Path, "", busOnly.BusAddress));
        Assert.False(File.Exists(Marker));
    }

    [Fact]
    public void With_a_secret_service_a_new_profile_keeps_its_keys_there_and_stays_with_it()
    {
        ISecretStore store = SecretStores.For(_folder.Path, choice: null, daemon.BusAddress);

        Assert.IsType<SecretServiceStore>(store);
        store.Put("signing", "in the keyring"u8);
        Assert.False(File.Exists(SecretsFile));
        string profile = File.ReadAllText(Marker).Trim().Split(' ')[1];
        (int exit, byte[] found) = daemon.SecretTool(["lookup", "application", "openckv", "profile", profile, "name", "signing"]);
        Assert.Equal(0, exit);
        Assert.Equal("in the keyring"u8.ToArray(), found);

        // Later, the same folder finds the same secrets — even when told to prefer the file.
        Assert.Equal("in the keyring"u8.ToArray(), SecretStores.For(_folder.Path, "file", daemon.BusAddress).Read("signing"));

        // Without the bus it is still the Secret Service, failing loudly, never a fresh empty file.
        ISecretStore withoutBus = SecretStores.For(_folder.Path, choice: null, sessionBus: null);
        Assert.IsType<SecretServiceStore>(withoutBus);
        Assert.Throws<SecretStoreUnavailableException>(() => withoutBus.Read("signing"));
        Assert.False(File.Exists(SecretsFile));
    }

    [Fact]
    public void A_profile_with_a_secrets_file_keeps_the_file_even_with_a_secret_service()
    {
        new FileSecretStore(SecretsFile).Put("signing", [1, 2]);

        ISecretStore store = SecretStores.For(_folder.Path, "secret-service", daemon.BusAddress);

        Assert.IsType<FileSecretStore>(store);
        Assert.Equal([1, 2], store.Read("signing"));
        Assert.False(File.Exists(Marker));
    }

    [Fact]
    public void The_default_options_keep_an_existing_secrets_file()
    {
        new FileSecretStore(SecretsFile).Put("signing", [3]);

        ISecretStore store = new CkvOptions().SecretStoreFor(_folder.Path);

        Assert.IsType<FileSecretStore>(store);
        Assert.Equal([3], store.Read("signing"));
    }

    [Fact]
    public void The_choice_forces_the_store_of_a_new_profile()
    {
        Assert.IsType<FileSecretStore>(SecretStores.For(_folder.Path, "file", daemon.BusAddress));
        Assert.False(File.Exists(Marker));

        using (var other = new TempFolder())
        {
            Assert.IsType<SecretServiceStore>(SecretStores.For(other.Path, " Secret-Service ", daemon.BusAddress));
            Assert.True(File.Exists(other.File("secret-store")));
        }

        Assert.Throws<SecretStoreUnavailableException>(() => SecretStores.For(_folder.Path, "secret-service", sessionBus: null));
        Assert.Throws<SecretStoreUnavailableException>(() => SecretStores.For(_folder.Path, "keychain", daemon.BusAddress));
        Assert.False(File.Exists(Marker));
    }

    [Fact]
    public void A_folder_with_both_stores_or_a_damaged_marker_is_refused()
    {
        File.WriteAllText(Marker, "secret-service not-an-id\n");
        Assert.Throws<InvalidDataException>(() => SecretStores.For(_folder.Path, null, daemon.BusAddress));

        File.Delete(Marker);
        Assert.IsType<SecretServiceStore>(SecretStores.For(_folder.Path, null, daemon.BusAddress));
        new FileSecretStore(SecretsFile).Put("signing", [1]);
        Assert.Throws<InvalidDataException>(() => SecretStores.For(_folder.Path, null, daemon.BusAddress));
    }
}
