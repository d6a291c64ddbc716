using OpenCkv.Protocol;

namespace OpenCkv.Server.Tests;

/// <summary>
/// The server with its log, directory and relays in PostgreSQL (a fresh database per test on the server named by
/// OPENCKV_TEST_POSTGRES, which scripts/test.sh starts): the same API, a restart, and the folder's checks.
/// </summary>
public sealed class PostgresServerTests : IDisposable
{
    private readonly PostgresDatabase _database = new();
    private readonly string _folder = System.IO.Directory.CreateTempSubdirectory("ckv-pg-server-").FullName;

    private string ConnectionString => _database.ConnectionString;

    [Fact]
    public async Task Accounts_changes_and_searches_work_on_PostgreSQL_and_survive_a_restart()
    {
        string folder = _folder;
        TestAccount alice;
        HandleRecord on;
        await using (LoopbackServer server = await LoopbackServer.StartAsync(o => o with { Postgres = ConnectionString }, folder: folder))
        {
            Assert.False(File.Exists(Path.Combine(folder, "log.db")));
            alice = await TestAccount.RegisterAsync(server, "mailto:alice@example.com");
            TestAccount bob = await TestAccount.RegisterAsync(server, "mailto:bob@example.com");
            await alice.EnableTwoFactorAsync();
            await alice.ChangeAsync(Transition.CkvOn, alice.Next(CkvState.On));
            on = alice.Records[alice.Label];
            Assert.Equal(on, (await bob.LookUpAsync(server, alice.Label)).Record);
            await bob.Client.SendAsync(bob.Credentials, [(alice.Device.DeviceId, "hi"u8.ToArray())]);
        }

        await using LoopbackServer again = await LoopbackServer.StartAsync(o => o with { Postgres = ConnectionString }, folder: folder);
        TestAccount carol = await TestAccount.RegisterAsync(again, "mailto:carol@example.com");
        Assert.Equal(on, (await carol.LookUpAsync(again, alice.Label)).Record);
        Assert.Single((await again.NewClient().InboxAsync(alice.Credentials)).Messages);
    }

    [Fact]
    public async Task A_data_folder_whose_key_signed_more_than_an_empty_database_holds_is_refused()
    {
        await using (LoopbackServer server = await LoopbackServer.StartAsync(o => o with { Postgres = ConnectionString }, folder: _folder))
        {
            await TestAccount.RegisterAsync(server, "mailto:alice@example.com");
        }

        using var empty = new PostgresDatabase();
        Assert.Throws<InvalidOperationException>(() => DirectoryServer.Build(new ServerOptions { DataFolder = _folder, Postgres = empty.ConnectionString }));
    }

    public void Dispose()
    {
        _database.Dispose();
        System.IO.Directory.Delete(_folder, recursive: true);
    }
}
