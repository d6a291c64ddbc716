using System.Net;
using System.Text.Json;
using OpenCkv.Client.Http;
using OpenCkv.Client.Records;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Server.Tests;

/// <summary>
/// Two `ckv server` processes on one PostgreSQL database (DESIGN §7): exactly one sequences, the other serves reads
/// and refuses changes before writing anything, naming the writer; a signed request accepted by one is a replay to
/// the other; when the writer is paused past its lease the replica takes over, and the paused one, resumed, commits
/// nothing and exits with code 75 — a client that followed the first writer stays consistent with the second.
/// </summary>
public sealed class SharedDatabaseTests : IDisposable
{
    private readonly PostgresDatabase _database = new();
    private readonly string _first = System.IO.Directory.CreateTempSubdirectory("ckv-shared-a-").FullName;
    private readonly string _second = System.IO.Directory.CreateTempSubdirectory("ckv-shared-b-").FullName;
    private readonly string _next = Path.Combine(Path.GetTempPath(), "ckv-shared-next-" + Guid.NewGuid().ToString("N"));

    private string[] Shared => ["--postgres", _database.ConnectionString, "--lease-s", "3", "--replica-poll-ms", "100"];

    [Fact]
    public async Task One_server_sequences_the_other_follows_and_a_paused_writer_never_forks_the_log()
    {
        LogFolder.Create(_first, sqlite: false);
        CopyFolder(_first, _second); // the same log: keys, configuration, high-water mark
        using ServerProcess a = await ServerProcess.StartAsync(_first, Shared);
        await WaitForRoleAsync(a, "sequencer");
        using ServerProcess b = await ServerProcess.StartAsync(_second, Shared);
        Assert.Equal("replica", (await HealthAsync(b)).GetProperty("role").GetString());

        TestAccount alice = await TestAccount.RegisterAsync(a.Http, "mailto:alice@example.com");
        await alice.EnableTwoFactorAsync(); // a directory write through the writer; the replica reads it from the database
        await alice.ChangeAsync(Transition.CkvOn, alice.Next(CkvState.On));

        // The replica refuses a change before spending the code, and names the writer.
        var viaB = new DirectoryClient(b.Http);
        HandleCodeResponse sent = await viaB.RequestCodeAsync("mailto:bob@example.com");
        string code = await TestAccount.DevCodeAsync(b.Http, "mailto:bob@example.com");
        byte[] bobId = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
        using var bobKey = EcdsaP256PrivateKey.Generate();
        var bobDevice = DeviceKeys.Generate();
        HandleRecord bobFirst = RecordBuilder.First(sent.Label, bobId, bobKey, [bobDevice.EntryFor(bobId, bobKey.PublicKey.Encoded.ToArray())]);
        var register = new RegisterRequest("mailto:bob@example.com", code, TestAccount.Facts(), Convert.ToBase64String(TlsCodec.Encode(bobFirst)));
        DirectoryApiException refused = await Assert.ThrowsAsync<DirectoryApiException>(() => viaB.RegisterAsync(register));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Equal("read-replica", refused.Problem);
        Assert.Contains(a.Address.ToString().TrimEnd('/'), refused.Detail, StringComparison.Ordinal);
        await new DirectoryClient(a.Http).RegisterAsync(register); // the code was not spent, nor any row written

        // The replica serves the writer's entries once it has followed them, verified like any answer.
        (VerifiedSearch seenAtA, HandleRecord onAtA) = await alice.LookUpAsync(alice.Label, via: new DirectoryClient(a.Http));
        await WaitForSizeAsync(b, seenAtA.State.TreeSize);
        (VerifiedSearch seenAtB, HandleRecord onAtB) = await alice.LookUpAsync(alice.Label, via: viaB);
        Assert.Equal(onAtA, onAtB);
        Assert.Equal(CkvState.On, onAtB.State);
        Assert.True(seenAtB.State.TreeSize >= seenAtA.State.TreeSize);

        // One signed request, sent to both: the second server refuses the replay.
        using (HttpRequestMessage toA = new(HttpMethod.Post, "/v1/sessions"))
        using (HttpRequestMessage toB = new(HttpMethod.Post, "/v1/sessions"))
        {
            alice.Client.Sign(toA, [], alice.Credentials);
            foreach (var header in toA.Headers)
            {
                toB.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            using HttpResponseMessage first = await a.Http.SendAsync(toA);
            using HttpResponseMessage replay = await b.Http.SendAsync(toB);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
            Assert.Contains("replayed", await replay.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The writer pauses; a change sent to it waits in its socket while the replica takes the lease over.
        await a.SignalAsync("STOP");
        HandleRecord[] off = alice.Next(CkvState.Off);
        Task<HttpResponseMessage> late = PostChangeAsync(a, alice, off);
        await WaitForRoleAsync(b, "sequencer");
        TestAccount carol = await TestAccount.RegisterAsync(b.Http, "mailto:carol@example.com");

        // Resumed, the former writer's commit finds its epoch gone: the change is refused and the process exits.
        await a.SignalAsync("CONT");
        int exit = await a.ExitCodeAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(75, exit);
        try
        {
            using HttpResponseMessage answer = await late;
            Assert.False(answer.IsSuccessStatusCode, $"the paused writer acknowledged a change: {answer.StatusCode}");
        }
        catch (HttpRequestException)
        {
            // the process went away before answering: also not acknowledged
        }

        // The new writer never saw that change, and a client that followed the first writer follows the second.
        (VerifiedSearch after, HandleRecord current) = await alice.LookUpAsync(alice.Label, seenAtA.State, viaB);
        Assert.Equal(CkvState.On, current.State);
        Assert.Equal(onAtA.Counter, current.Counter);
        Assert.True(after.State.TreeSize > seenAtA.State.TreeSize);
        Assert.Equal(CkvState.Off, (await carol.LookUpAsync(carol.Label, via: viaB)).Record.State);
        await viaB.ChangeAsync(alice.Credentials, Transition.CkvOff, alice.Next(CkvState.Off)); // through the new writer
        Assert.Equal(CkvState.Off, (await alice.LookUpAsync(alice.Label, after.State, viaB)).Record.State);
    }

    [Fact]
    public async Task A_shared_log_is_handed_over_through_the_database_and_every_server_of_it_retires()
    {
        (Configuration old, Configuration nextLog) = SharedLogAndNext();
        // Run from the second server's copy of the folder: the first one's folder is locked while it runs.
        string[] handover = ["server", "handover", "--data", _second, "--postgres", _database.ConnectionString, "--to", _next];
        TestAccount alice;
        using (ServerProcess a = await ServerProcess.StartAsync(_first, Shared))
        {
            await WaitForRoleAsync(a, "sequencer");
            alice = await TestAccount.RegisterAsync(a.Http, "mailto:alice@example.com");

            // A server holds the lease: the handover is refused, and nothing is stored.
            (int exit, _, string error) = await ServerProcess.RunCommandAsync(handover);
            Assert.Equal(1, exit);
            Assert.Contains("holds the sequencer lease", error, StringComparison.Ordinal);
            Assert.Equal(0, await a.TerminateAsync());
        }

        (int done, string output, string failure) = await ServerProcess.RunCommandAsync(handover);
        Assert.True(done == 0, failure);
        Assert.Contains("log_handover", output, StringComparison.Ordinal);
        Assert.Null(LogFolder.ReadHandover(_second)); // in the database, not in one server's folder
        Assert.Equal(1, (await ServerProcess.RunCommandAsync(handover)).Exit); // once

        // Both servers of the log find the same statement, serve it, answer lookups at the final head and refuse changes.
        using ServerProcess first = await ServerProcess.StartAsync(_first, Shared);
        using ServerProcess second = await ServerProcess.StartAsync(_second, Shared);
        byte[] statement = await first.Http.GetByteArrayAsync(new Uri("/v1/log/handover", UriKind.Relative));
        Assert.Equal(statement, await second.Http.GetByteArrayAsync(new Uri("/v1/log/handover", UriKind.Relative)));
        LogHandover verified = await HandedOverAsync(first, old, nextLog, alice);
        await HandedOverAsync(second, old, nextLog, alice);

        await Task.Delay(500);
        Assert.Equal(verified.FinalTreeSize, (await HealthAsync(first)).GetProperty("treeSize").GetUInt64()); // no heartbeat either
    }

    [Fact]
    public async Task A_replica_following_the_log_when_it_is_handed_over_retires_at_its_next_look()
    {
        (Configuration old, Configuration nextLog) = SharedLogAndNext();

        // The replica looks at the lease every 15 s: long enough for the writer to stop and the log to be handed over
        // between two looks, so the replica meets the statement while following, not when the lease is free.
        string[] slowReplica = ["--postgres", _database.ConnectionString, "--lease-s", "3", "--replica-poll-ms", "15000"];
        ServerProcess writer = await ServerProcess.StartAsync(_first, Shared);
        await WaitForRoleAsync(writer, "sequencer");
        TestAccount alice = await TestAccount.RegisterAsync(writer.Http, "mailto:alice@example.com");
        using ServerProcess replica = await ServerProcess.StartAsync(_second, slowReplica);
        await WaitForRoleAsync(replica, "replica");
        Assert.Equal(0, await writer.TerminateAsync()); // a graceful stop gives the lease up at once
        writer.Dispose();

        (int done, _, string failure) = await ServerProcess.RunCommandAsync(
            ["server", "handover", "--data", _first, "--postgres", _database.ConnectionString, "--to", _next]);
        Assert.True(done == 0, failure);

        await WaitForRoleAsync(replica, "handed-over", within: TimeSpan.FromSeconds(40));
        await HandedOverAsync(replica, old, nextLog, alice);
    }

    /// <summary>A PostgreSQL log in the first folder, copied to the second, and a new log to hand it over to: their configurations.</summary>
    private (Configuration Old, Configuration Next) SharedLogAndNext()
    {
        LogFolder.Create(_first, sqlite: false);
        CopyFolder(_first, _second);
        return (LogFolder.ReadConfiguration(_first), LogFolder.Create(_next));
    }

    /// <summary>
    /// The server serves a statement handing <paramref name="old"/> over to <paramref name="next"/>, says so on
    /// /health at the statement's final size, answers lookups there, and refuses changes with 410 log-moved.
    /// </summary>
    private static async Task<LogHandover> HandedOverAsync(ServerProcess server, Configuration old, Configuration next, TestAccount account)
    {
        LogHandover verified = LogHandover.Verify(old, await server.Http.GetByteArrayAsync(new Uri("/v1/log/handover", UriKind.Relative)));
        Assert.Equal(next.Fingerprint(), verified.New.Fingerprint());
        JsonElement health = await HealthAsync(server);
        Assert.Equal("handed-over", health.GetProperty("role").GetString());
        Assert.Equal(verified.FinalTreeSize, health.GetProperty("treeSize").GetUInt64());
        var client = new DirectoryClient(server.Http);
        Assert.Equal(account.Records[account.Label], (await account.LookUpAsync(account.Label, via: client)).Record);
        DirectoryApiException moved = await Assert.ThrowsAsync<DirectoryApiException>(
            () => client.ChangeAsync(account.Credentials, Transition.CkvOff, account.Next(CkvState.Off)));
        Assert.Equal(HttpStatusCode.Gone, moved.Status);
        Assert.Equal("log-moved", moved.Problem);
        return verified;
    }

    private static async Task<HttpResponseMessage> PostChangeAsync(ServerProcess server, TestAccount account, HandleRecord[] records)
    {
        var client = new DirectoryClient(server.Http);
        try
        {
            await client.ChangeAsync(account.Credentials, Transition.CkvOff, records);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
        catch (DirectoryApiException e)
        {
            return new HttpResponseMessage(e.Status);
        }
    }

    private static async Task<JsonElement> HealthAsync(ServerProcess server)
    {
        using JsonDocument health = JsonDocument.Parse(await server.Http.GetStringAsync(new Uri("/health", UriKind.Relative)));
        return health.RootElement.Clone();
    }

    private static async Task WaitForRoleAsync(ServerProcess server, string role, TimeSpan? within = null)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < (within ?? TimeSpan.FromSeconds(10)))
        {
            if ((await HealthAsync(server)).GetProperty("role").GetString() == role)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"{server.Address} never became the {role}.");
    }

    private static async Task WaitForSizeAsync(ServerProcess server, ulong size)
    {
        for (int i = 0; i < 200; i++)
        {
            if ((await HealthAsync(server)).GetProperty("treeSize").GetUInt64() >= size)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"{server.Address} never followed the log to {size} entries.");
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (string file in System.IO.Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose()
    {
        _database.Dispose();
        System.IO.Directory.Delete(_first, recursive: true);
        System.IO.Directory.Delete(_second, recursive: true);
        if (System.IO.Directory.Exists(_next))
        {
            System.IO.Directory.Delete(_next, recursive: true);
        }
    }
}
