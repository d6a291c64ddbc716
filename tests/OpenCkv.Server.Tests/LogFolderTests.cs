using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Search;

namespace OpenCkv.Server.Tests;

/// <summary>
/// A log's data folder: created once, reopened with its keys, configuration and database checked against each
/// other, and protected by the signing high-water mark against a database restored from an older backup.
/// </summary>
public sealed class LogFolderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("openckv-folder-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static void Publish(LogFolder folder, int entries, ref ulong now)
    {
        for (int i = 0; i < entries; i++)
        {
            folder.Log.Stage(System.Text.Encoding.ASCII.GetBytes($"mailto:user{i % 5}@example.com"), [(byte)i]);
            folder.Log.Sequence(now += 100);
        }
    }

    [Fact]
    public void A_created_folder_reopens_carries_on_and_keeps_its_keys_private()
    {
        Configuration created = LogFolder.Create(_folder);
        Assert.Throws<InvalidOperationException>(() => LogFolder.Create(_folder));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_folder, "keys", "signing.key")));
        }

        ulong now = 1_750_000_000_000;
        ClientState client;
        using (LogFolder folder = LogFolder.Open(_folder))
        {
            Assert.Equal(LogFolder.Fingerprint(created), LogFolder.Fingerprint(folder.Configuration));
            Publish(folder, 5, ref now);
            var request = new SearchRequest(null, "mailto:user1@example.com"u8.ToArray(), null);
            client = SearchVerifier.Verify(Crypto.CryptoSuite.Fastest, folder.Configuration, null, request, folder.Log.Search(request), now).State;
            Assert.Equal(5UL, folder.Signer.Mark);
        }

        using (LogFolder folder = LogFolder.Open(_folder))
        {
            Publish(folder, 2, ref now);
            var request = new SearchRequest(client.TreeSize, "mailto:user1@example.com"u8.ToArray(), null);
            Assert.Equal(7UL, SearchVerifier.Verify(Crypto.CryptoSuite.Fastest, folder.Configuration, client, request, folder.Log.Search(request), now).State.TreeSize);
        }
    }

    [Fact]
    public void A_database_restored_from_an_older_backup_cannot_make_the_key_sign_a_size_again()
    {
        LogFolder.Create(_folder);
        ulong now = 1_750_000_000_000;
        using (LogFolder folder = LogFolder.Open(_folder))
        {
            Publish(folder, 3, ref now);
        }

        string backup = Path.Combine(_folder, "backup.db");
        File.Copy(Path.Combine(_folder, "log.db"), backup);
        using (LogFolder folder = LogFolder.Open(_folder))
        {
            Publish(folder, 3, ref now);
        }

        // The backup of 3 entries comes back; the key has signed up to 6. The log opens (the stored head at 3 is
        // genuine) but must not sign entry 4 again: that would be a second, different head of size 4.
        File.Delete(Path.Combine(_folder, "log.db-wal"));
        File.Delete(Path.Combine(_folder, "log.db-shm"));
        File.Copy(backup, Path.Combine(_folder, "log.db"), overwrite: true);
        using (LogFolder folder = LogFolder.Open(_folder))
        {
            Assert.Equal(3UL, folder.Log.Size);
            Assert.Equal(6UL, folder.Signer.Mark);
            folder.Log.Stage("mailto:late@example.com"u8.ToArray(), [1]);
            Assert.Throws<InvalidOperationException>(() => folder.Log.Sequence(now += 100));
            Assert.Equal(3UL, folder.Log.Size);
        }
    }

    [Fact]
    public void Keys_that_are_not_the_configurations_are_refused()
    {
        LogFolder.Create(_folder);
        string signing = Path.Combine(_folder, "keys", "signing.key");
        File.WriteAllBytes(signing, EcdsaP256PrivateKey.Generate().Export());
        Assert.Throws<InvalidOperationException>(() => LogFolder.Open(_folder));
    }
}
