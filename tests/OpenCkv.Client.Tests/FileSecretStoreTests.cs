using OpenCkv.Client.Secrets;

namespace OpenCkv.Client.Tests;

/// <summary>Secrets in a file only its owner can read, replaced whole on every change.</summary>
public sealed class FileSecretStoreTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string SecretsPath => _folder.File("secrets.json");

    [Fact]
    public void Secrets_are_put_read_and_deleted_and_survive_a_new_store_on_the_same_file() =>
        SecretStoreContract.PutReadReplaceDeleteAndReopen(() => new FileSecretStore(SecretsPath));

    [Fact]
    public void The_file_is_created_readable_by_its_owner_alone()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        new FileSecretStore(SecretsPath).Put("signing", [1]);

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(SecretsPath));
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.GroupWrite)]
    [InlineData(UnixFileMode.OtherWrite)]
    public void A_file_others_can_read_or_write_is_refused(UnixFileMode extra)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var store = new FileSecretStore(SecretsPath);
        store.Put("signing", [1]);
        File.SetUnixFileMode(SecretsPath, OwnerOnly | extra);

        Assert.Throws<UnauthorizedAccessException>(() => store.Read("signing"));
        Assert.Throws<UnauthorizedAccessException>(() => new FileSecretStore(SecretsPath).Read("signing"));
        Assert.Throws<UnauthorizedAccessException>(() => store.Put("other", [2]));
    }

    [Fact]
    public void Every_change_leaves_only_the_secrets_file_behind()
    {
        var store = new FileSecretStore(SecretsPath);
        store.Put("signing", [1]);
        store.Put("request", [2]);
        store.Delete("signing");

        Assert.Equal([SecretsPath], Directory.GetFiles(_folder.Path));
        Assert.False(File.Exists(SecretsPath + ".new"));
    }

    [Fact]
    public void A_stale_world_readable_new_file_does_not_make_the_secrets_world_readable()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string stale = SecretsPath + ".new";
        File.WriteAllText(stale, "{}");
        File.SetUnixFileMode(stale, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        new FileSecretStore(SecretsPath).Put("signing", [1]);

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(SecretsPath));
    }
}
