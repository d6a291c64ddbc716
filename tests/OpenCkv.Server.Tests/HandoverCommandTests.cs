using OpenCkv.KeyTransparency;
using OpenCkv.Protocol;

namespace OpenCkv.Server.Tests;

/// <summary>
/// `ckv server handover --data OLD --to NEW` as a process (docs/operations.md): it signs once, says what it handed
/// over, and refuses what it must not hand over — no new log, the log itself, a second statement, and a restored
/// backup whose database lost heads the key already signed (its final head would contradict what clients saw).
/// </summary>
public sealed class HandoverCommandTests : IDisposable
{
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("ckv-handover-command-").FullName;

    private string Old => Path.Combine(_root, "old");

    private string New => Path.Combine(_root, "new");

    [Fact]
    public async Task The_command_signs_the_handover_once_and_refuses_a_missing_target_the_log_itself_and_a_second_statement()
    {
        await using (LoopbackServer server = await LoopbackServer.StartAsync(folder: Old))
        {
            await TestAccount.RegisterAsync(server, "mailto:alice@example.com");
        }

        Configuration next = LogFolder.Create(New);
        string notALog = System.IO.Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;
        Assert.Equal(2, (await ServerProcess.RunCommandAsync("server", "handover", "--data", Old)).Exit);
        Assert.Equal(1, (await ServerProcess.RunCommandAsync("server", "handover", "--data", Old, "--to", notALog)).Exit);
        (int exit, _, string error) = await ServerProcess.RunCommandAsync("server", "handover", "--data", Old, "--to", Old);
        Assert.Equal(1, exit);
        Assert.Contains("itself", error, StringComparison.Ordinal);
        Assert.Null(LogFolder.ReadHandover(Old));

        (exit, string output, _) = await ServerProcess.RunCommandAsync("server", "handover", "--data", Old, "--to", New);
        Assert.Equal(0, exit);
        Configuration old;
        ulong size;
        using (LogFolder folder = LogFolder.Open(Old))
        {
            (old, size) = (folder.Configuration, folder.Log.Size);
        }

        Assert.Contains($"at {size} entries", output, StringComparison.Ordinal);
        Assert.Contains(LogFolder.Fingerprint(next), output, StringComparison.Ordinal);
        byte[] written = LogFolder.ReadHandover(Old)!;
        LogHandover statement = LogHandover.Verify(old, written);
        Assert.Equal(size, statement.FinalTreeSize);
        Assert.Equal(next, statement.New);

        Assert.Equal(1, (await ServerProcess.RunCommandAsync("server", "handover", "--data", Old, "--to", New)).Exit);
        Assert.Equal(written, LogFolder.ReadHandover(Old));
    }

    [Fact]
    public async Task A_restored_backup_behind_the_keys_mark_is_not_handed_over()
    {
        string backup = System.IO.Directory.CreateDirectory(Path.Combine(_root, "backup")).FullName;
        await using (LoopbackServer server = await LoopbackServer.StartAsync(folder: Old))
        {
            await TestAccount.RegisterAsync(server, "mailto:alice@example.com");
        }

        CopyLogDatabase(Old, backup);
        await using (LoopbackServer server = await LoopbackServer.StartAsync(folder: Old))
        {
            await TestAccount.RegisterAsync(server, "mailto:bob@example.com");
        }

        CopyLogDatabase(backup, Old);
        LogFolder.Create(New);
        (int exit, _, string error) = await ServerProcess.RunCommandAsync("server", "handover", "--data", Old, "--to", New);
        Assert.Equal(1, exit);
        Assert.Contains("high-water mark", error, StringComparison.Ordinal);
        Assert.Null(LogFolder.ReadHandover(Old));
    }

    /// <summary>Replaces the log database in <paramref name="to"/> with the one in <paramref name="from"/>, as a restore does.</summary>
    private static void CopyLogDatabase(string from, string to)
    {
        foreach (string suffix in new[] { "", "-wal", "-shm" })
        {
            string target = Path.Combine(to, "log.db" + suffix);
            File.Delete(target);
            if (File.Exists(Path.Combine(from, "log.db" + suffix)))
            {
                File.Copy(Path.Combine(from, "log.db" + suffix), target);
            }
        }
    }

    public void Dispose() => System.IO.Directory.Delete(_root, recursive: true);
}
