using System.Net;
using System.Text.Json;
using OpenCkv.KeyTransparency;
using OpenCkv.Protocol;

namespace OpenCkv.Server.Tests;

/// <summary>
/// Handing a log over to a new one (docs/ckv-protocol.md §9, docs/operations.md): the old server serves the signed
/// statement, which verifies under the pinned configuration and fixes the final head, answers lookups up to it,
/// and takes no more changes, not even a heartbeat.
/// </summary>
public sealed class HandoverTests : IDisposable
{
    private readonly string _old = System.IO.Directory.CreateTempSubdirectory("ckv-handover-old-").FullName;
    private readonly string _new = Path.Combine(System.IO.Directory.CreateTempSubdirectory("ckv-handover-new-").FullName, "log");

    [Fact]
    public async Task The_old_log_serves_its_signed_handover_keeps_answering_lookups_and_takes_no_more_changes()
    {
        TestAccount alice;
        await using (LoopbackServer server = await LoopbackServer.StartAsync(folder: _old))
        {
            alice = await TestAccount.RegisterAsync(server, "mailto:alice@example.com");
            using HttpResponseMessage none = await server.Http.GetAsync(new Uri("/v1/log/handover", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        }

        Configuration next = LogFolder.Create(_new);
        Configuration old;
        ulong finalSize;
        byte[] finalRoot;
        using (LogFolder folder = LogFolder.Open(_old))
        {
            old = folder.Configuration;
            folder.HandOver(_old, next, (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            finalSize = folder.Log.Size;
            finalRoot = folder.Log.RootAt(finalSize).ToArray();
            Assert.Throws<InvalidOperationException>(() => folder.HandOver(_old, next, 0)); // once only
        }

        await using LoopbackServer retired = await LoopbackServer.StartAsync(o => o with { Sequencer = o.Sequencer with { HeartbeatInterval = TimeSpan.FromMilliseconds(100) } }, folder: _old);
        LogHandover statement = LogHandover.Verify(old, await retired.Http.GetByteArrayAsync(new Uri("/v1/log/handover", UriKind.Relative)));
        Assert.Equal(next.Fingerprint(), statement.New.Fingerprint());
        Assert.Equal(finalSize, statement.FinalTreeSize);
        Assert.Equal(finalRoot, statement.FinalRoot);

        // Lookups still verify, at the final head; a change is refused with 410 and nothing is sequenced.
        var client = new Client.Http.DirectoryClient(retired.Http);
        Assert.Equal(alice.Records[alice.Label], (await alice.LookUpAsync(alice.Label, via: client)).Record);
        Client.Http.DirectoryApiException moved = await Assert.ThrowsAsync<Client.Http.DirectoryApiException>(
            () => client.ChangeAsync(alice.Credentials, Transition.CkvOff, alice.Next(CkvState.Off)));
        Assert.Equal(HttpStatusCode.Gone, moved.Status);
        Assert.Equal("log-moved", moved.Problem);
        await Task.Delay(500); // several heartbeat intervals
        using JsonDocument health = JsonDocument.Parse(await retired.Http.GetStringAsync(new Uri("/health", UriKind.Relative)));
        Assert.Equal(finalSize, health.RootElement.GetProperty("treeSize").GetUInt64());
        Assert.Equal("handed-over", health.RootElement.GetProperty("role").GetString());
    }

    [Fact]
    public async Task A_final_head_that_would_be_stale_at_the_statements_time_is_not_handed_over()
    {
        await using (LoopbackServer server = await LoopbackServer.StartAsync(folder: _old))
        {
            await TestAccount.RegisterAsync(server, "mailto:alice@example.com");
        }

        Configuration next = LogFolder.Create(_new);
        using LogFolder folder = LogFolder.Open(_old);
        ulong newest = folder.Log.LastTimestamp, maxBehind = folder.Configuration.MaxBehind, maxAhead = folder.Configuration.MaxAhead;

        // Clients judge the final head against the statement's time (docs/ckv-protocol.md §9): one millisecond past
        // max_behind, or a clock behind by more than max_ahead, and no client could finish monitoring.
        InvalidOperationException stale = Assert.Throws<InvalidOperationException>(() => folder.HandOver(_old, next, newest + maxBehind + 1));
        Assert.Contains("heartbeat", stale.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => folder.HandOver(_old, next, newest - maxAhead - 1));
        Assert.Null(LogFolder.ReadHandover(_old));

        LogHandover statement = folder.HandOver(_old, next, newest + maxBehind);
        Assert.Equal(statement.Encode(), LogFolder.ReadHandover(_old));
        Assert.False(File.Exists(LogFolder.HandoverPath(_old) + ".tmp"));
    }

    public void Dispose()
    {
        System.IO.Directory.Delete(_old, recursive: true);
        System.IO.Directory.Delete(Path.GetDirectoryName(_new)!, recursive: true);
    }
}
