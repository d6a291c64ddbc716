using Microsoft.Data.Sqlite;
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
    private readonly string _folder = System.IO.Directory.CreateTempSubdirectory("openckv-folder-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_folder, recursive: true);

    private static void Publish(LogFolder folder, int entries, ref ulong now)
    {
        for (int i = 0; i < entries; i++)
        {
            folder.Log.Stage(System.Text.Encoding.ASCII.GetBytes($"mailto:user{i % 5}@example.com"), [(byte)i]);
            folder.Log.Sequence(now += 100);
        }
    }

    [Fact]
    public void A_created_folder_reopens_carries_on_keeps_its_keys_private_and_is_held_by_one_opener_at_a_time()
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
            // The folder is one holder's at a time: a second opener (another server, a handover) is refused at once.
            InvalidOperationException taken = Assert.Throws<InvalidOperationException>(() => LogFolder.Open(_folder));
            Assert.Contains("Another process uses", taken.Message, StringComparison.Ordinal);
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

        // The backup of 3 entries comes back; the key has signed up to 6. The folder is refused: serving it would
        // show old data, and sequencing would sign a second, different head of size 4.
        File.Delete(Path.Combine(_folder, "log.db-wal"));
        File.Delete(Path.Combine(_folder, "log.db-shm"));
        File.Copy(backup, Path.Combine(_folder, "log.db"), overwrite: true);
        Assert.Throws<InvalidOperationException>(() => LogFolder.Open(_folder));

        // And the signer itself refuses any other head at or below its mark.
        using var key = EcdsaP256PrivateKey.Import(File.ReadAllBytes(Path.Combine(_folder, "keys", "signing.key")));
        var signer = new HighWaterMarkSigner(key, Path.Combine(_folder, "keys", "signing.hwm"));
        Assert.Throws<InvalidOperationException>(() => signer.Sign(4, [1, 2, 3]));
    }

    [Fact]
    public void An_entry_committed_but_not_signed_is_signed_at_the_next_start_with_the_same_bytes_and_never_other_ones()
    {
        LogFolder.Create(_folder);
        ulong now = 1_750_000_000_000;
        string backup = Path.Combine(_folder, "backup.db");
        using (LogFolder folder = LogFolder.Open(_folder))
        {
            // The folder is one holder's at a time: a second opener (another server, a handover) is refused at once.
            InvalidOperationException taken = Assert.Throws<InvalidOperationException>(() => LogFolder.Open(_folder));
            Assert.Contains("Another process uses", taken.Message, StringComparison.Ordinal);
            Publish(folder, 2, ref now);
            File.Copy(Path.Combine(_folder, "log.db"), backup);
            Publish(folder, 1, ref now);
            Assert.Equal(3UL, folder.Signer.Mark);
        }

        // The state a crash between committing entry 2 and storing its head leaves: the entry without a signature.
        using (var database = new SqliteConnection($"Data Source={Path.Combine(_folder, "log.db")};Pooling=False"))
        {
            database.Open();
            using SqliteCommand unsign = database.CreateCommand();
            unsign.CommandText = "UPDATE entries SET head_signature = x'' WHERE position = 2";
            Assert.Equal(1, unsign.ExecuteNonQuery());
        }

        using (LogFolder folder = LogFolder.Open(_folder)) // signs the head of 3 again: the same bytes, so the mark allows it
        {
            Assert.Equal(3UL, folder.Log.Size);
            Assert.True(folder.Signer.MarkCommitted);
            Assert.Throws<InvalidOperationException>(() => folder.Signer.Sign(3, [4, 4, 4])); // never other bytes
            Assert.Throws<InvalidOperationException>(() => folder.Signer.Sign(2, [2, 2, 2]));
        }

        // The database of 2 entries restored: one behind a committed mark is a lost entry, not a crash.
        File.Delete(Path.Combine(_folder, "log.db-wal"));
        File.Delete(Path.Combine(_folder, "log.db-shm"));
        File.Copy(Path.Combine(_folder, "log.db"), Path.Combine(_folder, "current.db"));
        File.Copy(backup, Path.Combine(_folder, "log.db"), overwrite: true);
        Assert.Throws<InvalidOperationException>(() => LogFolder.Open(_folder));
        File.Copy(Path.Combine(_folder, "current.db"), Path.Combine(_folder, "log.db"), overwrite: true);

        File.Move(Path.Combine(_folder, "keys", "signing.hwm"), Path.Combine(_folder, "keys", "moved.hwm"));
        Assert.Throws<InvalidOperationException>(() => LogFolder.Open(_folder));
        File.Move(Path.Combine(_folder, "keys", "moved.hwm"), Path.Combine(_folder, "keys", "signing.hwm"));
        File.Delete(Path.Combine(_folder, "log.db"));
        Assert.Throws<InvalidOperationException>(() => LogFolder.Open(_folder));
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
