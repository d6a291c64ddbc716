using OpenCkv.Directory.Devices;
using OpenCkv.Directory.Storage;

namespace OpenCkv.Storage.Tests;

/// <summary>
/// What every <see cref="IRelayStore"/> backend must do: mailboxes in order, per device, deleted only by their
/// recipient; keychain blobs with their latest version per sender and recipient; join requests, settled once, with
/// their exchange in order; forgetting a device. Each backend's subclass opens its own fresh storage per test.
/// </summary>
public abstract class RelayStoreContract : IDisposable
{
    private static readonly byte[] Alice = [.. Enumerable.Repeat((byte)1, 16)];
    private static readonly byte[] Phone = [.. Enumerable.Repeat((byte)2, 16)];
    private static readonly byte[] Tablet = [.. Enumerable.Repeat((byte)3, 16)];
    private static readonly byte[] Bob = [.. Enumerable.Repeat((byte)4, 16)];
    private readonly List<IDisposable> _opened = [];

    /// <summary>Opens this test's storage; later calls reopen what earlier ones wrote.</summary>
    protected abstract IRelayStore OpenStorage();

    /// <summary>Closes what the test opened; subclasses then remove the storage.</summary>
    public virtual void Dispose()
    {
        foreach (IDisposable opened in _opened)
        {
            opened.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Messages_wait_per_device_in_order_and_only_their_recipient_deletes_them()
    {
        IRelayStore store = Open();
        IReadOnlyList<long> ids = store.PutMessages([Message(Phone, "one"), Message(Tablet, "two"), Message(Phone, "three")]);
        Assert.Equal(3, ids.Distinct().Count());

        IRelayStore reopened = Open();
        Assert.Equal(["one", "three"], reopened.Messages(Phone, 10).Select(m => System.Text.Encoding.UTF8.GetString(m.Body)));
        Assert.Equal(["one"], reopened.Messages(Phone, 1).Select(m => System.Text.Encoding.UTF8.GetString(m.Body)));
        Assert.Equal(2, reopened.CountMessages(Phone));
        RelayMessage first = reopened.Messages(Phone, 1)[0];
        Assert.Equal((Convert.ToHexString(Bob), Convert.ToHexString(Bob), 1_700_000_000_000UL), (Convert.ToHexString(first.SenderAccount), Convert.ToHexString(first.SenderDevice), first.ReceivedMs));

        Assert.Equal(0, reopened.DeleteMessages(Tablet, [ids[0]])); // not the tablet's
        Assert.Equal(1, reopened.DeleteMessages(Phone, [ids[0], ids[1]]));
        Assert.Equal(["three"], reopened.Messages(Phone, 10).Select(m => System.Text.Encoding.UTF8.GetString(m.Body)));
        Assert.Equal(1, reopened.CountMessages(Tablet));
    }

    [Fact]
    public void Waiting_messages_are_counted_per_recipient_and_sending_account()
    {
        IRelayStore store = Open();
        store.PutMessages([Message(Tablet, "one"), Message(Tablet, "two"), Message(Phone, "three"), new RelayMessage(0, Alice, Phone, Tablet, 1_700_000_000_000, [4])]);
        IRelayStore reopened = Open();
        Assert.Equal(2, reopened.CountMessagesFrom(Tablet, Bob));
        Assert.Equal(1, reopened.CountMessagesFrom(Tablet, Alice));
        Assert.Equal(1, reopened.CountMessagesFrom(Phone, Bob));
        Assert.Equal(0, reopened.CountMessagesFrom(Phone, Alice));
        Assert.Equal(3, reopened.CountMessages(Tablet));
    }

    [Fact]
    public void Blobs_keep_the_latest_version_per_sender_and_recipient_and_forgetting_a_device_empties_its_boxes()
    {
        IRelayStore store = Open();
        Assert.Null(store.LatestBlobVersion(Phone, Tablet));
        long first = store.PutBlob(new KeychainBlob(0, Alice, Phone, Tablet, 1, 1_700_000_000_000, [1]));
        store.PutBlob(new KeychainBlob(0, Alice, Phone, Tablet, 5, 1_700_000_000_001, [5]));
        Assert.Equal(5UL, Open().LatestBlobVersion(Phone, Tablet));
        Assert.Null(store.LatestBlobVersion(Tablet, Phone));
        Assert.Equal([1UL, 5UL], store.Blobs(Tablet).Select(b => b.Version));
        Assert.Equal((2, 0), (store.CountBlobs(Tablet), store.CountBlobs(Phone)));

        Assert.False(store.DeleteBlob(Phone, first));
        Assert.True(store.DeleteBlob(Tablet, first));
        Assert.Equal([5UL], store.Blobs(Tablet).Select(b => b.Version));
        Assert.Equal(5UL, store.LatestBlobVersion(Phone, Tablet)); // a delivered blob's version still counts

        store.PutMessages([Message(Tablet, "hello")]);
        store.ForgetDevice(Tablet);
        Assert.Empty(Open().Blobs(Tablet));
        Assert.Equal(0, store.CountMessages(Tablet));
    }

    [Fact]
    public void A_join_reads_back_settles_once_and_keeps_its_exchange_in_order()
    {
        IRelayStore store = Open();
        byte[] joinId = [.. Enumerable.Repeat((byte)9, 16)];
        var device = new DirectoryDevice(Alice, Tablet, new DeviceFacts("Tablet", Platform.Tablet, new Version(17, 4, 0), 1, true, true), [.. Enumerable.Repeat((byte)7, 65)], 1_700_000_000_000);
        var join = new JoinRequest(joinId, Alice, device, [.. Enumerable.Repeat((byte)5, 65)], [.. Enumerable.Repeat((byte)6, 65)], [.. Enumerable.Repeat((byte)8, 32)], 1_700_000_000_100, JoinState.Pending);
        store.PutJoin(join);

        JoinRequest? read = Open().Join(joinId);
        Assert.NotNull(read);
        Assert.Equal(Describe(join), Describe(read));
        Assert.Equal([Describe(join)], store.PendingJoins(Alice).Select(Describe));
        Assert.Empty(store.PendingJoins(Bob));

        long a = store.AddJoinMessage(joinId, fromJoiner: true, [1]);
        long b = store.AddJoinMessage(joinId, fromJoiner: false, [2]);
        Assert.True(b > a);
        Assert.Equal([(true, (byte)1), (false, (byte)2)], Open().JoinMessages(joinId, 0).Select(m => (m.FromJoiner, m.Body[0])));
        Assert.Equal([(byte)2], store.JoinMessages(joinId, a).Select(m => m.Body[0]));

        Assert.True(store.SettleJoin(joinId, JoinState.Approved));
        Assert.False(store.SettleJoin(joinId, JoinState.Refused));
        Assert.Equal(JoinState.Approved, Open().Join(joinId)!.State);
        Assert.Empty(store.PendingJoins(Alice));
    }

    [Fact]
    public void Join_requests_older_than_a_cutoff_are_deleted_with_their_messages_and_newer_ones_stay()
    {
        IRelayStore store = Open();
        byte[] old = [.. Enumerable.Repeat((byte)0x71, 16)];
        byte[] young = [.. Enumerable.Repeat((byte)0x72, 16)];
        foreach ((byte[] id, ulong created) in new[] { (old, 1_700_000_000_000UL), (young, 1_700_000_060_000UL) })
        {
            var device = new DirectoryDevice(Alice, [.. id], new DeviceFacts("Tablet", Platform.Tablet, new Version(17, 4, 0), 1, true, true), [.. Enumerable.Repeat((byte)4, 65)], created);
            store.PutJoin(new JoinRequest(id, Alice, device, [.. Enumerable.Repeat((byte)5, 65)], [.. Enumerable.Repeat((byte)6, 65)], [.. Enumerable.Repeat((byte)8, 32)], created, JoinState.Pending));
            store.AddJoinMessage(id, fromJoiner: true, [1]);
        }

        Assert.Equal(0, store.DeleteJoinsCreatedBefore(1_700_000_000_000));
        Assert.Equal(1, store.DeleteJoinsCreatedBefore(1_700_000_060_000));
        IRelayStore reopened = Open();
        Assert.Null(reopened.Join(old));
        Assert.Empty(reopened.JoinMessages(old, 0));
        Assert.NotNull(reopened.Join(young));
        Assert.Single(reopened.JoinMessages(young, 0));
        Assert.Equal([young], reopened.PendingJoins(Alice).Select(j => j.JoinId));
    }

    /// <summary>Opens the storage and closes it when the test ends.</summary>
    protected IRelayStore Open()
    {
        IRelayStore store = OpenStorage();
        if (store is IDisposable disposable)
        {
            _opened.Add(disposable);
        }

        return store;
    }

    private static RelayMessage Message(byte[] recipient, string text) =>
        new(0, Bob, Bob, recipient, 1_700_000_000_000, System.Text.Encoding.UTF8.GetBytes(text));

    private static string Describe(JoinRequest j) =>
        $"{Convert.ToHexString(j.JoinId)} {Convert.ToHexString(j.AccountId)} {Convert.ToHexString(j.Device.DeviceId)} {j.Device.Facts} " +
        $"{Convert.ToHexString(j.Device.RequestKey)} {j.Device.RegisteredMs} {Convert.ToHexString(j.SigningKey)} {Convert.ToHexString(j.EncryptionKey)} " +
        $"{Convert.ToHexString(j.TokenHash)} {j.CreatedMs} {j.State}";
}
