using OpenCkv.Directory.Devices;
using OpenCkv.Directory.Storage;

namespace OpenCkv.Storage.Tests;

/// <summary>
/// What every <see cref="IDirectoryStore"/> backend must do: accounts with their first device and handle, handle
/// ownership and its replacement, facts and flags, device removal taking its sessions, codes and their attempts,
/// sessions, account deletion cascading, and conflicts that write nothing. Each backend's subclass opens its own
/// fresh storage per test.
/// </summary>
public abstract class DirectoryStoreContract : IDisposable
{
    private readonly List<IDisposable> _opened = [];

    /// <summary>
    /// Opens this test's storage, the same each time: the first call finds it empty, later ones reopen what
    /// earlier ones wrote.
    /// </summary>
    protected abstract IDirectoryStore OpenStorage();

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
    public void An_account_with_its_handle_and_first_device_reads_back_after_a_reopen()
    {
        IDirectoryStore store = Open();
        Account account = NewAccount(1);
        DirectoryDevice device = NewDevice(account, 1);
        store.CreateAccount(account, "tel:+12025550101", device, replaceHandle: false);

        foreach (IDirectoryStore view in new[] { store, Open() })
        {
            Assert.Equal(Describe(account), Describe(view.Account(account.AccountId)));
            Assert.Equal(account.AccountId, view.AccountOf("tel:+12025550101"));
            Assert.Equal(["tel:+12025550101"], view.HandlesOf(account.AccountId));
            Assert.Equal(Describe(device), Describe(view.Device(device.DeviceId)));
            Assert.Equal([Describe(device)], view.Devices(account.AccountId).Select(Describe));
            Assert.Null(view.Account(Id(99)));
            Assert.Null(view.AccountOf("tel:+12025550199"));
            Assert.Empty(view.HandlesOf(Id(99)));
            Assert.Null(view.Device(Id(99)));
            Assert.Empty(view.Devices(Id(99)));
        }
    }

    [Fact]
    public void A_taken_account_id_device_id_or_handle_is_a_conflict_that_writes_nothing()
    {
        IDirectoryStore store = Open();
        Account first = NewAccount(1);
        store.CreateAccount(first, "mailto:first@example.com", NewDevice(first, 1), replaceHandle: false);
        Account second = NewAccount(2);

        Assert.Throws<DirectoryConflictException>(() => store.CreateAccount(first, "mailto:other@example.com", NewDevice(first, 2), replaceHandle: false));
        Assert.Throws<DirectoryConflictException>(() => store.CreateAccount(second, "mailto:other@example.com", NewDevice(second, 1), replaceHandle: false));
        Assert.Throws<DirectoryConflictException>(() => store.CreateAccount(second, "mailto:first@example.com", NewDevice(second, 2), replaceHandle: false));

        foreach (IDirectoryStore view in new[] { store, Open() })
        {
            Assert.Null(view.Account(second.AccountId));
            Assert.Null(view.AccountOf("mailto:other@example.com"));
            Assert.Null(view.Device(Id(2)));
            Assert.Equal(first.AccountId, view.AccountOf("mailto:first@example.com"));
            Assert.Equal(["mailto:first@example.com"], view.HandlesOf(first.AccountId));
            Assert.Equal([Describe(NewDevice(first, 1))], view.Devices(first.AccountId).Select(Describe));
        }
    }

    [Fact]
    public void Replacing_a_handle_gives_it_to_the_new_account_and_leaves_the_old_one_without_it()
    {
        IDirectoryStore store = Open();
        Account old = NewAccount(1), fresh = NewAccount(2);
        store.CreateAccount(old, "tel:+12025550101", NewDevice(old, 1), replaceHandle: false);
        store.CreateAccount(fresh, "tel:+12025550101", NewDevice(fresh, 2), replaceHandle: true);

        Assert.Equal(fresh.AccountId, store.AccountOf("tel:+12025550101"));
        Assert.Equal(["tel:+12025550101"], store.HandlesOf(fresh.AccountId));
        Assert.Empty(store.HandlesOf(old.AccountId));
        Assert.Equal(Describe(old), Describe(store.Account(old.AccountId)));
        Assert.Equal([Describe(NewDevice(old, 1))], store.Devices(old.AccountId).Select(Describe));

        // Replacing a handle nobody holds is a plain create.
        Account third = NewAccount(3);
        store.CreateAccount(third, "tel:+12025550103", NewDevice(third, 3), replaceHandle: true);
        Assert.Equal(third.AccountId, store.AccountOf("tel:+12025550103"));
    }

    [Fact]
    public void Facts_the_second_factor_and_the_managed_flag_are_updated_in_place()
    {
        IDirectoryStore store = Open();
        Account account = NewAccount(1);
        store.CreateAccount(account, "tel:+12025550101", NewDevice(account, 1), replaceHandle: false);
        var facts = new DeviceFacts("Work laptop", Platform.Desktop, new Version(14, 2, 1), 3, Passcode: false, Keychain: true);
        store.UpdateFacts(Id(1), facts);
        store.UpdateFacts(Id(42), facts); // no such device: nothing happens
        store.SetTotp(account.AccountId, [1, 2, 3, 4], enabled: false);
        Assert.Equal(Describe(account with { TotpSecret = [1, 2, 3, 4] }), Describe(store.Account(account.AccountId)));
        store.SetTotp(account.AccountId, [5, 6], enabled: true);
        store.SetManaged(account.AccountId, managed: true);

        foreach (IDirectoryStore view in new[] { store, Open() })
        {
            Assert.Equal(Describe(NewDevice(account, 1) with { Facts = facts }), Describe(view.Device(Id(1))));
            Assert.Null(view.Device(Id(42)));
            Assert.Equal(Describe(account with { Managed = true, TotpSecret = [5, 6], TotpEnabled = true }), Describe(view.Account(account.AccountId)));
        }

        store.SetTotp(account.AccountId, null, enabled: false);
        store.SetManaged(account.AccountId, managed: false);
        Assert.Equal(Describe(account), Describe(Open().Account(account.AccountId)));
    }

    [Fact]
    public void Sessions_are_kept_by_token_hash_and_expired_ones_go_when_the_next_is_stored()
    {
        IDirectoryStore store = Open();
        Account account = NewAccount(1);
        store.CreateAccount(account, "tel:+12025550101", NewDevice(account, 1), replaceHandle: false);
        ulong now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var live = new Session(account.AccountId, Id(1), now + 3_600_000);
        var expired = new Session(account.AccountId, Id(1), now - 1_000);
        store.PutSession(Token(1), expired);
        Assert.Equal(Describe(expired), Describe(store.Session(Token(1))));
        store.PutSession(Token(2), live);

        foreach (IDirectoryStore view in new[] { store, Open() })
        {
            Assert.Equal(Describe(live), Describe(view.Session(Token(2))));
            Assert.Null(view.Session(Token(1)));
            Assert.Null(view.Session(Token(3)));
        }
    }

    [Fact]
    public void Removing_a_device_deletes_its_sessions_and_nothing_of_other_devices()
    {
        IDirectoryStore store = Open();
        Account one = NewAccount(1), two = NewAccount(2);
        store.CreateAccount(one, "tel:+12025550101", NewDevice(one, 1), replaceHandle: false);
        store.CreateAccount(two, "tel:+12025550102", NewDevice(two, 2), replaceHandle: false);
        ulong expires = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 3_600_000;
        store.PutSession(Token(1), new Session(one.AccountId, Id(1), expires));
        store.PutSession(Token(2), new Session(two.AccountId, Id(2), expires));

        store.RemoveDevice(Id(1));

        foreach (IDirectoryStore view in new[] { store, Open() })
        {
            Assert.Null(view.Device(Id(1)));
            Assert.Empty(view.Devices(one.AccountId));
            Assert.Null(view.Session(Token(1)));
            Assert.Equal(Describe(one), Describe(view.Account(one.AccountId)));
            Assert.Equal(one.AccountId, view.AccountOf("tel:+12025550101"));
            Assert.Equal(Describe(NewDevice(two, 2)), Describe(view.Device(Id(2))));
            Assert.NotNull(view.Session(Token(2)));
        }
    }

    [Fact]
    public void A_code_is_replaced_counted_and_deleted()
    {
        IDirectoryStore store = Open();
        var code = new HandleCode("tel:+12025550101", [1, 2, 3], 1_000_000, 0);
        store.PutCode(code);
        Assert.Equal(Describe(code), Describe(store.Code(code.Label)));
        Assert.Equal(1, store.TakeCodeAttempt(code.Label));
        Assert.Equal(2, store.TakeCodeAttempt(code.Label));
        Assert.Equal(Describe(code with { Attempts = 2 }), Describe(Open().Code(code.Label)));

        var replacement = new HandleCode(code.Label, [9, 9], 2_000_000, 0);
        store.PutCode(replacement);
        Assert.Equal(Describe(replacement), Describe(store.Code(code.Label)));
        store.PutCode(new HandleCode("tel:+12025550102", [4], 3_000_000, 1));

        store.DeleteCode(code.Label);
        Assert.Equal(0, store.TakeCodeAttempt(code.Label)); // no code: nothing to count
        Assert.Null(store.Code(code.Label));
        Assert.Equal(Describe(new HandleCode("tel:+12025550102", [4], 3_000_000, 1)), Describe(Open().Code("tel:+12025550102")));
    }

    [Fact]
    public void Deleting_an_account_deletes_its_handles_devices_and_sessions_and_frees_the_handle()
    {
        IDirectoryStore store = Open();
        Account gone = NewAccount(1), kept = NewAccount(2);
        store.CreateAccount(gone, "tel:+12025550101", NewDevice(gone, 1), replaceHandle: false);
        store.CreateAccount(kept, "tel:+12025550102", NewDevice(kept, 2), replaceHandle: false);
        ulong expires = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 3_600_000;
        store.PutSession(Token(1), new Session(gone.AccountId, Id(1), expires));
        store.PutSession(Token(2), new Session(kept.AccountId, Id(2), expires));

        store.DeleteAccount(gone.AccountId);

        foreach (IDirectoryStore view in new[] { store, Open() })
        {
            Assert.Null(view.Account(gone.AccountId));
            Assert.Null(view.AccountOf("tel:+12025550101"));
            Assert.Empty(view.HandlesOf(gone.AccountId));
            Assert.Null(view.Device(Id(1)));
            Assert.Empty(view.Devices(gone.AccountId));
            Assert.Null(view.Session(Token(1)));
            Assert.Equal(Describe(kept), Describe(view.Account(kept.AccountId)));
            Assert.Equal(["tel:+12025550102"], view.HandlesOf(kept.AccountId));
            Assert.NotNull(view.Session(Token(2)));
        }

        // The handle and the device id are free again.
        Account next = NewAccount(3);
        store.CreateAccount(next, "tel:+12025550101", NewDevice(next, 1), replaceHandle: false);
        Assert.Equal(next.AccountId, store.AccountOf("tel:+12025550101"));
    }

    [Fact]
    public void A_device_added_to_an_account_reads_back_and_a_taken_id_is_a_conflict()
    {
        IDirectoryStore store = Open();
        Account account = NewAccount(1);
        store.CreateAccount(account, "tel:+12025550101", NewDevice(account, 1), replaceHandle: false);
        DirectoryDevice second = NewDevice(account, 2);
        store.AddDevice(second);
        Assert.Throws<DirectoryConflictException>(() => store.AddDevice(second with { Facts = second.Facts with { Name = "other" } }));

        Assert.Equal([Describe(NewDevice(account, 1)), Describe(second)], Open().Devices(account.AccountId).Select(Describe));
    }

    [Fact]
    public void An_account_with_its_rows_reads_as_the_three_separate_reads_do()
    {
        IDirectoryStore store = Open();
        Account account = NewAccount(1);
        store.CreateAccount(account, "tel:+12025550101", NewDevice(account, 1), replaceHandle: false);
        store.AddDevice(NewDevice(account, 2));
        Account other = NewAccount(2);
        store.CreateAccount(other, "tel:+12025550102", NewDevice(other, 3), replaceHandle: false);

        IDirectoryStore view = Open();
        AccountRows rows = view.AccountWithRows(account.AccountId)!;
        Assert.Equal(account.AccountId, rows.Account.AccountId);
        Assert.Equal((account.CreatedMs, account.Managed, account.TotpEnabled), (rows.Account.CreatedMs, rows.Account.Managed, rows.Account.TotpEnabled));
        Assert.Equal(view.HandlesOf(account.AccountId), rows.Handles);
        Assert.Equal(view.Devices(account.AccountId).Select(Describe), rows.Devices.Select(Describe));
        Assert.Equal(2, rows.Devices.Count);
        Assert.Null(view.AccountWithRows(Id(99)));
    }

    /// <summary>Opens the storage and closes it when the test ends.</summary>
    protected IDirectoryStore Open()
    {
        IDirectoryStore store = OpenStorage();
        if (store is IDisposable disposable)
        {
            _opened.Add(disposable);
        }

        return store;
    }

    private static byte[] Id(int n) => [.. Enumerable.Repeat((byte)n, 15), 0xd];

    private static byte[] Token(int n) => [.. Enumerable.Repeat((byte)n, 31), 0x7];

    private static Account NewAccount(int n) => new([.. Enumerable.Repeat((byte)n, 15), 0xa], 1_700_000_000_000 + (ulong)n, Managed: false, TotpSecret: null, TotpEnabled: false);

    private static DirectoryDevice NewDevice(Account account, int n) => new(
        account.AccountId,
        Id(n),
        new DeviceFacts($"Phone {n}", Platform.Phone, new Version(17, n, 0), DeviceFacts.CurrentProtocolVersion, Passcode: true, Keychain: false),
        [.. Enumerable.Repeat((byte)(n + 100), 65)],
        1_700_000_000_500 + (ulong)n);

    // Records holding arrays compare by reference: compare their contents as text.
    private static string Describe(Account? a) => a is null ? "none" :
        $"{Convert.ToHexString(a.AccountId)} {a.CreatedMs} managed={a.Managed} totp={Hex(a.TotpSecret)} enabled={a.TotpEnabled}";

    private static string Describe(DirectoryDevice? d) => d is null ? "none" :
        $"{Convert.ToHexString(d.AccountId)} {Convert.ToHexString(d.DeviceId)} {d.Facts} {Convert.ToHexString(d.RequestKey)} {d.RegisteredMs}";

    private static string Describe(Session? s) => s is null ? "none" :
        $"{Convert.ToHexString(s.AccountId)} {Convert.ToHexString(s.DeviceId)} {s.ExpiresMs}";

    private static string Describe(HandleCode? c) => c is null ? "none" :
        $"{c.Label} {Convert.ToHexString(c.CodeHash)} {c.ExpiresMs} {c.Attempts}";

    private static string Hex(byte[]? bytes) => bytes is null ? "null" : Convert.ToHexString(bytes);
}
