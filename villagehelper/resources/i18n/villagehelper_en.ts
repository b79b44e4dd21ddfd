<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_GB" sourcelanguage="vi_VN">
<context>
    <name>CampaignHint</name>
    <message>
        <source>%1 có trong danh sách chiến dịch «%2»</source>
        <translation>%1 is on the list of the campaign “%2”</translation>
    </message>
    <message>
        <source>%1 và %2 người khác</source>
        <translation>%1 and %2 others</translation>
    </message>
    <message>
        <source>đang hẹn lại</source>
        <translation>follow-up pending</translation>
    </message>
    <message>
        <source>lần trước chưa được</source>
        <translation>failed last time</translation>
    </message>
</context>
<context>
    <name>CampaignsView</name>
    <message>
        <source>Chiến dịch</source>
        <translation>Campaign</translation>
    </message>
    <message>
        <source>Dịch vụ</source>
        <translation>Services</translation>
    </message>
    <message>
        <source>Hạn</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <source>Đã tiếp cận / tổng</source>
        <translation>Reached / total</translation>
    </message>
    <message>
        <source>Tình trạng</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Thôn</source>
        <translation>Village</translation>
    </message>
    <message>
        <source>Tổng</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Đã tiếp cận</source>
        <translation>Reached</translation>
    </message>
    <message>
        <source>Xong</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>Hẹn lại</source>
        <translation>Follow-up</translation>
    </message>
    <message>
        <source>Không được</source>
        <translation>Failed</translation>
    </message>
    <message>
        <source>Chưa</source>
        <translation>Not yet</translation>
    </message>
    <message>
        <source>Họ tên</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Năm sinh</source>
        <translation>Birth year</translation>
    </message>
    <message>
        <source>Điện thoại</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>&amp;Tạo chiến dịch…</source>
        <translation>&amp;Create campaign…</translation>
    </message>
    <message>
        <source>&amp;Nhập danh sách…</source>
        <translation>&amp;Import list…</translation>
    </message>
    <message>
        <source>&amp;In danh sách còn lại…</source>
        <translation>&amp;Print who is left…</translation>
    </message>
    <message>
        <source>Alt+1 danh sách chiến dịch · Alt+2 theo thôn · Alt+3 người còn lại (Enter: mở hộ) · Ctrl+P in danh sách còn lại</source>
        <translation>Alt+1 campaign list · Alt+2 by village · Alt+3 who is left (Enter: open the household) · Ctrl+P print who is left</translation>
    </message>
    <message>
        <source>Tiến độ theo thôn</source>
        <translation>Progress by village</translation>
    </message>
    <message>
        <source>Người còn lại</source>
        <translation>Who is left</translation>
    </message>
    <message>
        <source>Các chiến dịch</source>
        <translation>Campaigns</translation>
    </message>
    <message>
        <source>Đã đóng</source>
        <translation>Closed</translation>
    </message>
    <message>
        <source>Đang mở</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>Chưa có chiến dịch nào.</source>
        <translation>No campaign yet.</translation>
    </message>
    <message>
        <source>«%1» — hạn %2</source>
        <translation>“%1” — deadline %2</translation>
    </message>
    <message>
        <source>Tổng cộng</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Chọn một thôn để xem ai còn lại.</source>
        <translation>Choose a village to see who is left.</translation>
    </message>
    <message>
        <source>%1: còn %2 người</source>
        <translation>%1: %2 left</translation>
    </message>
    <message>
        <source>chưa gắn với người trong sổ</source>
        <translation>not linked to anyone in the logbook</translation>
    </message>
    <message>
        <source>Tất cả các thôn</source>
        <translation>All villages</translation>
    </message>
    <message>
        <source>Chọn một chiến dịch có danh sách, rồi chọn một thôn (hoặc dòng Tổng cộng để in mọi thôn).</source>
        <translation>Choose a campaign that has a list, then a village (or the Total row to print every village).</translation>
    </message>
    <message>
        <source>Lưu PDF danh sách người còn lại của mọi thôn (%1)</source>
        <translation>Save who is left in every village as a PDF (%1)</translation>
    </message>
    <message>
        <source>Lưu PDF danh sách người còn lại của %1 (%2)</source>
        <translation>Save who is left in %1 as a PDF (%2)</translation>
    </message>
    <message>
        <source>Tạo chiến dịch</source>
        <translation>Create a campaign</translation>
    </message>
    <message>
        <source>Nhập danh sách</source>
        <translation>Import a list</translation>
    </message>
</context>
<context>
    <name>CandidateModel</name>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Nhân khẩu: %1</source>
        <translation>Members: %1</translation>
    </message>
    <message>
        <source>ĐT %1</source>
        <translation>Phone %1</translation>
    </message>
</context>
<context>
    <name>ClockBanner</name>
    <message>
        <source>Ngày giờ này đúng</source>
        <translation>This date and time are right</translation>
    </message>
    <message>
        <source>Đồng hồ của máy này có vẻ sai.</source>
        <translation>This laptop&apos;s clock looks wrong.</translation>
    </message>
    <message>
        <source>Xác nhận ngày giờ của máy</source>
        <translation>Confirm the laptop&apos;s date and time</translation>
    </message>
</context>
<context>
    <name>ClockDay</name>
    <message>
        <source>Đồng hồ máy này sai, nên lịch hẹn được tính theo ngày của máy chủ xã: %1.</source>
        <translation>This laptop&apos;s clock is wrong, so follow-ups are listed by the commune server&apos;s date: %1.</translation>
    </message>
    <message>
        <source>Đồng hồ máy này có vẻ sai: lịch hẹn dưới đây tính theo ngày %1 của máy nên có thể sai.</source>
        <translation>This laptop&apos;s clock looks wrong: the follow-ups below are listed by its date, %1, and may be wrong.</translation>
    </message>
</context>
<context>
    <name>CommuneListModel</name>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Mã xã/phường: %1</source>
        <translation>Commune/ward code: %1</translation>
    </message>
</context>
<context>
    <name>CommunePage</name>
    <message>
        <source>Xã/phường của tổ</source>
        <translation>The team&apos;s commune/ward</translation>
    </message>
    <message>
        <source>Chọn xã/phường theo danh mục hành chính 2025. Gõ tên không cần dấu, dùng phím mũi tên để chọn rồi nhấn Enter.</source>
        <translation>Choose the commune/ward from the 2025 list of administrative units. Type the name (no diacritics needed), choose with the arrow keys, then press Enter.</translation>
    </message>
    <message>
        <source>Tất cả 34 tỉnh, thành phố</source>
        <translation>All 34 provinces and cities</translation>
    </message>
    <message>
        <source>ví dụ: gia loc</source>
        <translation>e.g. gia loc</translation>
    </message>
    <message>
        <source>&amp;Dùng thử với dữ liệu mẫu</source>
        <translation>&amp;Try with sample data</translation>
    </message>
    <message>
        <source>&amp;Kết nối máy chủ xã…</source>
        <translation>&amp;Join the commune server…</translation>
    </message>
    <message>
        <source>Dữ liệu mẫu của Xã Gia Lộc (Hải Phòng), để tập dùng trước khi ghi thật.</source>
        <translation>Sample data for Xã Gia Lộc (Hải Phòng), to practise on before logging for real.</translation>
    </message>
    <message>
        <source>Tổ đã dùng VillageHelper trên máy khác: nhận xã, thôn và thành viên tổ từ máy chủ xã bằng mã đăng ký của tổ trưởng.</source>
        <translation>The team already uses VillageHelper on another laptop: get the commune, villages and team from the commune server with the leader&apos;s enrolment code.</translation>
    </message>
    <message>
        <source>Tỉ&amp;nh, thành phố:</source>
        <translation>&amp;Province or city:</translation>
    </message>
    <message>
        <source>Tìm &amp;xã/phường:</source>
        <translation>Find &amp;commune/ward:</translation>
    </message>
    <message>
        <source>Không tìm thấy xã/phường nào. Kiểm tra lại tên hoặc chọn tỉnh khác.</source>
        <translation>No commune/ward found. Check the name or choose another province.</translation>
    </message>
    <message>
        <source>%1 xã/phường phù hợp.</source>
        <translation>Matching communes/wards: %1.</translation>
    </message>
</context>
<context>
    <name>ConfirmPage</name>
    <message>
        <source>%1 — Đúng người này</source>
        <translation>%1 — This person</translation>
    </message>
    <message>
        <source>K — Không phải ai trong số này</source>
        <translation>K — None of these</translation>
    </message>
    <message>
        <source>T — Thêm người mới</source>
        <translation>T — Add as a new person</translation>
    </message>
    <message>
        <source>← Dòng trước (PgUp)</source>
        <translation>← Previous row (PgUp)</translation>
    </message>
    <message>
        <source>Dòng sau → (PgDn)</source>
        <translation>Next row → (PgDn)</translation>
    </message>
    <message>
        <source>Xác nhận người trong danh sách: dòng cần xem %1/%2</source>
        <translation>Confirm who is on the list: row to check %1/%2</translation>
    </message>
    <message>
        <source>Trong danh sách (dòng %1 của tệp)</source>
        <translation>On the list (row %1 of the file)</translation>
    </message>
    <message>
        <source>không ghi</source>
        <translation>not given</translation>
    </message>
    <message>
        <source>Họ tên: %1</source>
        <translation>Name: %1</translation>
    </message>
    <message>
        <source>Năm sinh: %1</source>
        <translation>Born: %1</translation>
    </message>
    <message>
        <source>Thôn: %1</source>
        <translation>Village: %1</translation>
    </message>
    <message>
        <source>Điện thoại: %1</source>
        <translation>Phone: %1</translation>
    </message>
    <message>
        <source>Số cuối CCCD: %1</source>
        <translation>Last ID digits: %1</translation>
    </message>
    <message>
        <source>không rõ</source>
        <translation>unknown</translation>
    </message>
    <message>
        <source>Chủ hộ: %1</source>
        <translation>Household head: %1</translation>
    </message>
    <message>
        <source>Vì sao giống:</source>
        <translation>Why alike:</translation>
    </message>
    <message>
        <source>Chưa chọn. Bấm 1–%1, K hoặc T.</source>
        <translation>Not chosen yet. Press 1–%1, K or T.</translation>
    </message>
    <message>
        <source>Đã để lại để xem sau (không phải ai trong số này).</source>
        <translation>Left for review (none of these).</translation>
    </message>
    <message>
        <source>Đã thêm thành người mới.</source>
        <translation>Added as a new person.</translation>
    </message>
    <message>
        <source>Đã chọn: %1</source>
        <translation>Chosen: %1</translation>
    </message>
    <message>
        <source>Còn %1 dòng chưa chọn.</source>
        <translation>%1 row(s) left to choose.</translation>
    </message>
</context>
<context>
    <name>ConflictModel</name>
    <message>
        <source>Hồ sơ</source>
        <translation>Record</translation>
    </message>
    <message>
        <source>Thông tin</source>
        <translation>Field</translation>
    </message>
    <message>
        <source>Giá trị hiện tại</source>
        <translation>Current value</translation>
    </message>
    <message>
        <source>Giá trị từ máy khác</source>
        <translation>Value from the other laptop</translation>
    </message>
</context>
<context>
    <name>ConflictsDialog</name>
    <message>
        <source>Xem xung đột và hộ trùng</source>
        <translation>Review conflicts and duplicates</translation>
    </message>
    <message>
        <source>Xung đột</source>
        <translation>Conflicts</translation>
    </message>
    <message>
        <source>Hộ có thể trùng</source>
        <translation>Possible duplicates</translation>
    </message>
    <message>
        <source>Ngày không hợp lý</source>
        <translation>Impossible dates</translation>
    </message>
    <message>
        <source>Dữ liệu lỗi</source>
        <translation>Faulty rows</translation>
    </message>
    <message>
        <source>Giữ giá trị này</source>
        <translation>Keep this value</translation>
    </message>
    <message>
        <source>Dùng giá trị này</source>
        <translation>Use this value</translation>
    </message>
    <message>
        <source>Hoặc nhập giá trị đúng…</source>
        <translation>Or type the right value…</translation>
    </message>
    <message>
        <source>Lưu giá trị đã nhập</source>
        <translation>Save the typed value</translation>
    </message>
    <message>
        <source>Giá trị hiện tại</source>
        <translation>Current value</translation>
    </message>
    <message>
        <source>Từ máy khác</source>
        <translation>From the other laptop</translation>
    </message>
    <message>
        <source>Các hộ trùng họ tên trong một thôn hoặc trùng số điện thoại — thường do hai máy cùng ghi một hộ. Nhấp đúp để mở hộ và gộp.</source>
        <translation>Households with the same head&apos;s name in one village, or the same phone number — often one family entered on two laptops. Double-click to open the household and merge.</translation>
    </message>
    <message>
        <source>Không còn xung đột nào.</source>
        <translation>No conflicts left.</translation>
    </message>
    <message>
        <source>Hãy chọn người ghi (F9) trước khi xử lý xung đột.</source>
        <translation>Choose who is logging (F9) before resolving conflicts.</translation>
    </message>
    <message>
        <source>Đã lưu quyết định; sẽ gửi lên máy chủ ở lần đồng bộ tới.</source>
        <translation>Decision saved; it goes to the server with the next sync.</translation>
    </message>
</context>
<context>
    <name>CountsModel</name>
    <message>
        <source>So với
kỳ trước</source>
        <translation>Change on
previous period</translation>
    </message>
    <message>
        <source>Kỳ trước</source>
        <translation>Previous period</translation>
    </message>
    <message>
        <source>Số
lượt</source>
        <translation>Help
sessions</translation>
    </message>
    <message>
        <source>Số
người</source>
        <translation>People</translation>
    </message>
    <message>
        <source>Số hộ</source>
        <translation>Households</translation>
    </message>
    <message>
        <source>Thành
công</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>Hẹn lại</source>
        <translation>Follow-up</translation>
    </message>
    <message>
        <source>Chưa
thành công</source>
        <translation>Failed</translation>
    </message>
    <message>
        <source>Lũy kế
từ đầu năm</source>
        <translation>Year
to date</translation>
    </message>
    <message>
        <source>Hộ đạt
kỹ năng số</source>
        <translation>Households with
basic skills</translation>
    </message>
    <message>
        <source>%1: %2 lượt</source>
        <translation>%1: %2 sessions</translation>
    </message>
</context>
<context>
    <name>CreateCampaignDialog</name>
    <message>
        <source>Tạo chiến dịch</source>
        <translation>Create a campaign</translation>
    </message>
    <message>
        <source>ví dụ: Nhận lương hưu không dùng tiền mặt</source>
        <translation>e.g. Pension paid without cash</translation>
    </message>
    <message>
        <source>&amp;Tên chiến dịch</source>
        <translation>Campaign &amp;name</translation>
    </message>
    <message>
        <source>&amp;Loại hỗ trợ (Space để chọn)</source>
        <translation>&amp;Services (Space to tick)</translation>
    </message>
    <message>
        <source>&amp;Hạn hoàn thành</source>
        <translation>&amp;Deadline</translation>
    </message>
</context>
<context>
    <name>DuplicateModel</name>
    <message>
        <source>Hộ thứ nhất</source>
        <translation>First household</translation>
    </message>
    <message>
        <source>Hộ thứ hai</source>
        <translation>Second household</translation>
    </message>
    <message>
        <source>Lý do</source>
        <translation>Reason</translation>
    </message>
</context>
<context>
    <name>EditDialog</name>
    <message>
        <source>&amp;Lưu</source>
        <translation>&amp;Save</translation>
    </message>
    <message>
        <source>Hủy</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>FaultyModel</name>
    <message>
        <source>Hộ</source>
        <translation>Household</translation>
    </message>
    <message>
        <source>Vì sao</source>
        <translation>Why</translation>
    </message>
    <message>
        <source>Mã dòng</source>
        <translation>Row id</translation>
    </message>
</context>
<context>
    <name>FaultyPage</name>
    <message>
        <source>Máy chủ xã có những lượt hỗ trợ bị lỗi mà không máy nào lưu được (ví dụ kết quả không rõ, hẹn lại mà không có ngày); chúng không được tính. Chọn một lượt rồi bấm «Hủy lượt này», hoặc nếu buổi hỗ trợ có thật thì chọn ngày giờ và bấm «Ghi lại là đã xong». Thay đổi được gửi ở lần đồng bộ tới.</source>
        <translation>The commune server holds faulty help sessions that no laptop can store (an unknown outcome, a follow-up with no date…); they are not counted. Pick one and press “Void this session”, or, if the visit did happen, pick its day and time and press “Log again as done”. The change is sent at the next sync.</translation>
    </message>
    <message>
        <source>Hủy lượt này</source>
        <translation>Void this session</translation>
    </message>
    <message>
        <source>Ghi lại là đã xong</source>
        <translation>Log again as done</translation>
    </message>
    <message>
        <source>Ngày giờ hỗ trợ:</source>
        <translation>Day and time of the visit:</translation>
    </message>
    <message>
        <source>Không còn dòng dữ liệu lỗi nào.</source>
        <translation>No faulty rows left.</translation>
    </message>
    <message>
        <source>Hãy chọn người ghi (F9) trước khi sửa.</source>
        <translation>Choose who is recording (F9) before settling a row.</translation>
    </message>
    <message>
        <source>Đã lưu; thay đổi được gửi ở lần đồng bộ tới.</source>
        <translation>Saved; the change is sent at the next sync.</translation>
    </message>
</context>
<context>
    <name>Feedback</name>
    <message>
        <source>Cần sửa lại</source>
        <translation>Please correct</translation>
    </message>
    <message>
        <source>Xin lỗi</source>
        <translation>Sorry</translation>
    </message>
    <message>
        <source>VillageHelper gặp lỗi ngoài dự kiến. Dữ liệu đã lưu không bị mất.
Chi tiết đã được ghi vào tệp nhật ký:
%1
Hãy gửi tệp này cho người hỗ trợ kỹ thuật.</source>
        <translation>VillageHelper ran into an unexpected error. Saved data is not lost.
The details were written to the log file:
%1
Please send this file to your technical helper.</translation>
    </message>
    <message>
        <source>Không lưu được tệp (lỗi ngoài dự kiến).</source>
        <translation>The file could not be saved (unexpected error).</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <source>VillageHelper — Thiết lập ban đầu</source>
        <translation>VillageHelper — First-time setup</translation>
    </message>
    <message>
        <source>&amp;Tiếp tục</source>
        <translation>&amp;Next</translation>
    </message>
    <message>
        <source>&amp;Quay lại</source>
        <translation>&amp;Back</translation>
    </message>
    <message>
        <source>&amp;Hoàn tất</source>
        <translation>&amp;Finish</translation>
    </message>
    <message>
        <source>Hủy</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Đang tạo dữ liệu mẫu…</source>
        <translation>Creating sample data…</translation>
    </message>
    <message>
        <source>Đang lưu thiết lập…</source>
        <translation>Saving setup…</translation>
    </message>
</context>
<context>
    <name>FollowUpsModel</name>
    <message>
        <source>Tình trạng</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Ngày hẹn</source>
        <translation>Follow-up date</translation>
    </message>
    <message>
        <source>Chủ hộ</source>
        <translation>Head of household</translation>
    </message>
    <message>
        <source>Thôn</source>
        <translation>Village</translation>
    </message>
    <message>
        <source>Người được hỗ trợ</source>
        <translation>Person helped</translation>
    </message>
    <message>
        <source>Loại hỗ trợ</source>
        <translation>Service</translation>
    </message>
    <message>
        <source>Người ghi</source>
        <translation>Logged by</translation>
    </message>
    <message>
        <source>Ghi chú</source>
        <translation>Notes</translation>
    </message>
    <message>
        <source>Quá hạn %1 ngày</source>
        <translation>%1 day(s) overdue</translation>
    </message>
    <message>
        <source>Hôm nay</source>
        <translation>Today</translation>
    </message>
    <message>
        <source>Sắp tới</source>
        <translation>Upcoming</translation>
    </message>
</context>
<context>
    <name>FollowUpsView</name>
    <message>
        <source>Tất cả các thôn</source>
        <translation>All villages</translation>
    </message>
    <message>
        <source>Cả lịch hẹn &amp;7 ngày tới</source>
        <translation>Include the next &amp;7 days</translation>
    </message>
    <message>
        <source>Đã xong</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>Chưa được</source>
        <translation>Not done</translation>
    </message>
    <message>
        <source>Đã &amp;xong (Ctrl+D)</source>
        <translation>&amp;Done (Ctrl+D)</translation>
    </message>
    <message>
        <source>&amp;Chưa được… (Ctrl+K)</source>
        <translation>&amp;Not done… (Ctrl+K)</translation>
    </message>
    <message>
        <source>T&amp;hôn:</source>
        <translation>&amp;Village:</translation>
    </message>
    <message>
        <source>Không còn lượt hẹn nào phải làm.</source>
        <translation>No follow-ups left to do.</translation>
    </message>
    <message>
        <source>%1 lượt hẹn cần làm</source>
        <translation>Follow-ups to do: %1</translation>
    </message>
    <message>
        <source>Hãy chọn một lượt hẹn trong danh sách.</source>
        <translation>Choose a follow-up in the list.</translation>
    </message>
    <message>
        <source>Chưa chọn người ghi. Hãy chọn thành viên tổ đang ghi sổ trên máy này (trong Cài đặt), rồi làm lại.</source>
        <translation>You have not chosen who is logging. Choose the team member logging on this computer (in Settings), then try again.</translation>
    </message>
    <message>
        <source>Đã ghi lượt hỗ trợ mới: %1 — %2.</source>
        <translation>New help session logged: %1 — %2.</translation>
    </message>
</context>
<context>
    <name>HouseholdForm</name>
    <message>
        <source>— Chọn thôn —</source>
        <translation>— Choose a village —</translation>
    </message>
    <message>
        <source>ví dụ: Nguyễn Văn An</source>
        <translation>e.g. Nguyễn Văn An</translation>
    </message>
    <message>
        <source>xóm, số nhà, đường…</source>
        <translation>hamlet, house number, street…</translation>
    </message>
    <message>
        <source>ví dụ 0912 345 678 (có thể để trống)</source>
        <translation>e.g. 0912 345 678 (may be left blank)</translation>
    </message>
    <message>
        <source>&amp;Thôn:</source>
        <translation>&amp;Village:</translation>
    </message>
    <message>
        <source>Họ tên &amp;chủ hộ:</source>
        <translation>&amp;Head of household:</translation>
    </message>
    <message>
        <source>Đị&amp;a chỉ:</source>
        <translation>A&amp;ddress:</translation>
    </message>
    <message>
        <source>Số điện t&amp;hoại:</source>
        <translation>&amp;Phone number:</translation>
    </message>
    <message>
        <source>Ghi ch&amp;ú:</source>
        <translation>N&amp;otes:</translation>
    </message>
</context>
<context>
    <name>HouseholdHeader</name>
    <message>
        <source>Thôn:</source>
        <translation>Village:</translation>
    </message>
    <message>
        <source>Địa chỉ:</source>
        <translation>Address:</translation>
    </message>
    <message>
        <source>Số điện thoại:</source>
        <translation>Phone number:</translation>
    </message>
    <message>
        <source>Ghi chú:</source>
        <translation>Notes:</translation>
    </message>
    <message>
        <source>&amp;Sửa thông tin hộ</source>
        <translation>&amp;Edit household details</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>&amp;Gộp hộ trùng vào hộ này…</source>
        <translation>&amp;Merge a duplicate into this household…</translation>
    </message>
</context>
<context>
    <name>HouseholdPage</name>
    <message>
        <source>Hộ gia đình</source>
        <translation>Household</translation>
    </message>
    <message>
        <source>Đóng</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Nhân khẩu</source>
        <translation>Members</translation>
    </message>
    <message>
        <source>&amp;Thêm nhân khẩu</source>
        <translation>&amp;Add member</translation>
    </message>
    <message>
        <source>Sửa &amp;nhân khẩu</source>
        <translation>Ed&amp;it member</translation>
    </message>
    <message>
        <source>&amp;Xóa nhân khẩu</source>
        <translation>&amp;Remove member</translation>
    </message>
    <message>
        <source>Insert</source>
        <translation>Insert</translation>
    </message>
    <message>
        <source>Enter hoặc F2</source>
        <translation>Enter or F2</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>Lịch sử hỗ trợ</source>
        <translation>Help history</translation>
    </message>
    <message>
        <source>Chưa có lượt hỗ trợ nào cho hộ này.</source>
        <translation>No help sessions for this household yet.</translation>
    </message>
    <message>
        <source>Hộ %1</source>
        <translation>Household of %1</translation>
    </message>
    <message>
        <source>Nhân khẩu (%1)</source>
        <translation>Members (%1)</translation>
    </message>
    <message>
        <source>Lịch sử hỗ trợ (%1 lượt)</source>
        <translation>Help history (sessions: %1)</translation>
    </message>
    <message>
        <source>Sửa thông tin hộ</source>
        <translation>Edit household details</translation>
    </message>
    <message>
        <source>Thêm nhân khẩu</source>
        <translation>Add member</translation>
    </message>
    <message>
        <source>Sửa nhân khẩu</source>
        <translation>Edit member</translation>
    </message>
    <message>
        <source>Xóa nhân khẩu</source>
        <translation>Remove member</translation>
    </message>
    <message>
        <source>Xóa «%1» khỏi hộ này? Các lượt hỗ trợ đã ghi vẫn được giữ.</source>
        <translation>Remove “%1” from this household? Help sessions already logged are kept.</translation>
    </message>
    <message>
        <source>&amp;Xóa</source>
        <translation>&amp;Remove</translation>
    </message>
    <message>
        <source>&amp;Không xóa</source>
        <translation>Do&amp;n&apos;t remove</translation>
    </message>
</context>
<context>
    <name>HouseholdSearch</name>
    <message>
        <source>Tìm hộ: tên chủ hộ hoặc nhân khẩu, số điện thoại, thôn… (gõ không dấu cũng được)</source>
        <translation>Find a household: name of the head or a member, phone number, village… (no diacritics needed)</translation>
    </message>
    <message>
        <source>Gõ vài chữ của tên để tìm; ↑ ↓ để chọn, Enter để mở.</source>
        <translation>Type part of a name to search; ↑ ↓ to choose, Enter to open.</translation>
    </message>
    <message>
        <source>Không tìm thấy hộ nào. Nhấn Enter để thêm hộ mới «%1».</source>
        <translation>No household found. Press Enter to add a new household “%1”.</translation>
    </message>
    <message>
        <source>Còn nhiều kết quả khác — gõ thêm để thu hẹp.</source>
        <translation>There are more results — type more to narrow the search.</translation>
    </message>
    <message>
        <source>Enter: chọn hộ đang tô sáng.</source>
        <translation>Enter: choose the highlighted household.</translation>
    </message>
</context>
<context>
    <name>HouseholdTableModel</name>
    <message>
        <source>Chủ hộ</source>
        <translation>Head of household</translation>
    </message>
    <message>
        <source>Thôn</source>
        <translation>Village</translation>
    </message>
    <message>
        <source>Nhân khẩu</source>
        <translation>Members</translation>
    </message>
    <message>
        <source>Điện thoại</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>Lần hỗ trợ gần nhất</source>
        <translation>Last helped</translation>
    </message>
    <message>
        <source>Đã hỗ trợ xong</source>
        <translation>Services done</translation>
    </message>
    <message>
        <source>chưa có</source>
        <translation>not yet</translation>
    </message>
</context>
<context>
    <name>HouseholdsView</name>
    <message>
        <source>Tên chủ hộ hoặc nhân khẩu, số điện thoại… (gõ không dấu cũng được)</source>
        <translation>Name of the head or a member, phone number… (no diacritics needed)</translation>
    </message>
    <message>
        <source>Tất cả các thôn</source>
        <translation>All villages</translation>
    </message>
    <message>
        <source>&amp;Tìm hộ:</source>
        <translation>&amp;Find household:</translation>
    </message>
    <message>
        <source>T&amp;hôn:</source>
        <translation>&amp;Village:</translation>
    </message>
    <message>
        <source>Không có hộ nào khớp tìm kiếm.</source>
        <translation>No households match the search.</translation>
    </message>
    <message>
        <source>%1 hộ gia đình</source>
        <translation>Households: %1</translation>
    </message>
</context>
<context>
    <name>ImplausibleModel</name>
    <message>
        <source>Hộ</source>
        <translation>Household</translation>
    </message>
    <message>
        <source>Loại hỗ trợ</source>
        <translation>Service</translation>
    </message>
    <message>
        <source>Ngày đã ghi</source>
        <translation>Date logged</translation>
    </message>
    <message>
        <source>Vì sao</source>
        <translation>Why</translation>
    </message>
</context>
<context>
    <name>ImplausiblePage</name>
    <message>
        <source>Máy chủ xã giữ lại các lượt hỗ trợ này mà không tính, vì ngày của chúng không thể đúng (đồng hồ của máy ghi chạy sai). Chọn một lượt, nhập ngày giờ đúng rồi bấm «Sửa ngày»: lượt đã sửa được tính sau lần đồng bộ tới.</source>
        <translation>The commune server keeps these help sessions but does not count them: their date cannot be right (the clock of the laptop that logged them was wrong). Pick one, enter the right date and time and press &apos;Correct date&apos;: a corrected session counts after the next sync.</translation>
    </message>
    <message>
        <source>Sửa ngày</source>
        <translation>Correct date</translation>
    </message>
    <message>
        <source>Ngày đúng:</source>
        <translation>Right date:</translation>
    </message>
    <message>
        <source>Không còn lượt nào có ngày không hợp lý.</source>
        <translation>No session with an impossible date is left.</translation>
    </message>
    <message>
        <source>Hãy chọn người ghi (F9) trước khi sửa ngày.</source>
        <translation>Choose who is logging (F9) before correcting a date.</translation>
    </message>
    <message>
        <source>Đã sửa ngày; lượt này sẽ được tính sau lần đồng bộ tới.</source>
        <translation>Date corrected; the session counts after the next sync.</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <source>Chọn danh sách của xã</source>
        <translation>Choose the commune&apos;s list</translation>
    </message>
    <message>
        <source>Danh sách (*.xlsx *.csv)</source>
        <translation>Lists (*.xlsx *.csv)</translation>
    </message>
    <message>
        <source>Nhập danh sách của chiến dịch</source>
        <translation>Import the campaign&apos;s list</translation>
    </message>
    <message>
        <source>Đóng</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Chọn tệp danh sách xã gửi (Excel .xlsx hoặc .csv), có các cột họ tên, năm sinh, thôn, điện thoại (và số cuối CCCD nếu có). Chỉ giữ 4 số cuối của số căn cước.</source>
        <translation>Choose the list file the commune sent (Excel .xlsx or .csv) with columns for name, birth year, village, phone (and the last ID digits if any). Only the last 4 digits of a citizen ID are kept.</translation>
    </message>
    <message>
        <source>Đường dẫn tệp danh sách</source>
        <translation>Path of the list file</translation>
    </message>
    <message>
        <source>&amp;Chọn tệp…</source>
        <translation>&amp;Choose file…</translation>
    </message>
    <message>
        <source>Đọc danh sách</source>
        <translation>Read the list</translation>
    </message>
    <message>
        <source>Đang đọc và so khớp danh sách…</source>
        <translation>Reading and matching the list…</translation>
    </message>
    <message>
        <source>&amp;Lưu vào chiến dịch</source>
        <translation>&amp;Store in the campaign</translation>
    </message>
    <message>
        <source>Chọn tệp &amp;khác</source>
        <translation>Choose another &amp;file</translation>
    </message>
    <message>
        <source>Danh sách «%1»: %2 người.
• Khớp chắc chắn (tự liên kết): %3
• Cần xác nhận (có người giống): %4
• Chưa khớp ai (để xem sau hoặc thêm mới): %5

Bấm Enter để lưu vào chiến dịch; sau đó xác nhận từng dòng cần xác nhận.</source>
        <translation>List “%1”: %2 people.
• Matched with certainty (linked): %3
• To confirm (someone alike): %4
• Nobody matched (review later or add as new): %5

Press Enter to store it in the campaign, then confirm each row to confirm.</translation>
    </message>
    <message>
        <source>Đang lưu danh sách…</source>
        <translation>Storing the list…</translation>
    </message>
    <message>
        <source>Đã lưu %1 dòng: %2 đã liên kết, %3 cần xác nhận, %4 chưa khớp.</source>
        <translation>Stored %1 rows: %2 linked, %3 to confirm, %4 unmatched.</translation>
    </message>
</context>
<context>
    <name>JoinServerDialog</name>
    <message>
        <source>Kết nối với máy chủ xã</source>
        <translation>Join the commune server</translation>
    </message>
    <message>
        <source>Tổ đã dùng VillageHelper trên máy khác? Nhập địa chỉ máy chủ xã và mã đăng ký do tổ trưởng cấp: máy này sẽ nhận thôn, thành viên tổ và dữ liệu của xã.</source>
        <translation>Does the team already use VillageHelper on another laptop? Enter the commune server&apos;s address and the enrolment code from the team leader: this laptop will get the villages, the team and the commune&apos;s data.</translation>
    </message>
    <message>
        <source>&amp;Kết nối</source>
        <translation>&amp;Join</translation>
    </message>
    <message>
        <source>Hủy</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Địa chỉ &amp;máy chủ:</source>
        <translation>&amp;Server address:</translation>
    </message>
    <message>
        <source>&amp;Mã đăng ký:</source>
        <translation>Enrolment &amp;code:</translation>
    </message>
    <message>
        <source>&amp;Tên máy này:</source>
        <translation>&amp;Name of this laptop:</translation>
    </message>
    <message>
        <source>Hãy nhập địa chỉ máy chủ xã (hỏi tổ trưởng).</source>
        <translation>Enter the commune server&apos;s address (ask the team leader).</translation>
    </message>
    <message>
        <source>Hãy nhập mã đăng ký do tổ trưởng cấp.</source>
        <translation>Enter the enrolment code from the team leader.</translation>
    </message>
    <message>
        <source>Đang kết nối máy chủ xã…</source>
        <translation>Connecting to the commune server…</translation>
    </message>
    <message>
        <source>Gặp lỗi ngoài dự kiến; dữ liệu trên máy vẫn an toàn. Hãy thử lại.</source>
        <translation>Something unexpected went wrong; the data on this laptop is safe. Please try again.</translation>
    </message>
</context>
<context>
    <name>LeaderGate</name>
    <message>
        <source>Chỉ dành cho tổ trưởng</source>
        <translation>Leaders only</translation>
    </message>
    <message>
        <source>“%1” chỉ tổ trưởng làm được. Hãy nhờ tổ trưởng của tổ.</source>
        <translation>Only a leader can do “%1”. Ask your team&apos;s leader.</translation>
    </message>
</context>
<context>
    <name>LeaderGuard</name>
    <message>
        <source>Mở phần của tổ trưởng…</source>
        <translation>Open the leader&apos;s settings…</translation>
    </message>
</context>
<context>
    <name>LeaderPermission</name>
    <message>
        <source>Cần tổ trưởng cho phép</source>
        <translation>A leader must allow this</translation>
    </message>
    <message>
        <source>“%1” chỉ tổ trưởng làm được. Tổ trưởng chọn tên và nhập mã PIN để cho phép.</source>
        <translation>“%1” is for leaders only. A leader picks their name and types their PIN to allow it.</translation>
    </message>
    <message>
        <source>Cho phép</source>
        <translation>Allow</translation>
    </message>
    <message>
        <source>Hủy</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>LeftPrinter</name>
    <message>
        <source>Lưu danh sách người còn lại (PDF)</source>
        <translation>Save who is left (PDF)</translation>
    </message>
    <message>
        <source>Đã lưu danh sách người còn lại (%1 trang): %2</source>
        <translation>Who is left saved as PDF (%1 page(s)): %2</translation>
    </message>
</context>
<context>
    <name>ListScreen</name>
    <message>
        <source>Đang tải…</source>
        <translation>Loading…</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <source>VillageHelper đang khóa</source>
        <translation>VillageHelper is locked</translation>
    </message>
    <message>
        <source>Chọn tên bạn và nhập mã PIN để mở. Việc lưu và đồng bộ vẫn tiếp tục trong khi khóa.</source>
        <translation>Pick your name and type your PIN to open. Saving and syncing go on while locked.</translation>
    </message>
    <message>
        <source>Mở khóa</source>
        <translation>Unlock</translation>
    </message>
</context>
<context>
    <name>LogVisitView</name>
    <message>
        <source>Tìm hộ gia đình ở ô bên trái.

Chọn hộ rồi chọn loại hỗ trợ; Enter hoặc Ctrl+S để lưu. Không thấy hộ: Enter để thêm hộ mới.</source>
        <translation>Find the household in the box on the left.

Choose the household, then the services; Enter or Ctrl+S to save. Household not found: Enter to add a new one.</translation>
    </message>
    <message>
        <source>Thêm nhân khẩu</source>
        <translation>Add member</translation>
    </message>
    <message>
        <source>Chưa chọn người ghi. Hãy chọn «Ai đang ghi?» trước.</source>
        <translation>You have not chosen who is logging. Use “Who is logging?” first.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>VillageHelper — Tổ công nghệ số cộng đồng</source>
        <translation>VillageHelper — Community digital technology team</translation>
    </message>
    <message>
        <source>Ghi lượt hỗ trợ</source>
        <translation>Log a session</translation>
    </message>
    <message>
        <source>Lượt hỗ trợ</source>
        <translation>Help sessions</translation>
    </message>
    <message>
        <source>Hộ gia đình</source>
        <translation>Households</translation>
    </message>
    <message>
        <source>Hẹn lại</source>
        <translation>Follow-ups</translation>
    </message>
    <message>
        <source>Cài đặt</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>Báo cáo tuần</source>
        <translation>Weekly report</translation>
    </message>
    <message>
        <source>Chiến dịch</source>
        <translation>Campaigns</translation>
    </message>
    <message>
        <source>Đổi người ghi (F9)</source>
        <translation>Change who is logging (F9)</translation>
    </message>
    <message>
        <source>Khóa ngay (Ctrl+L)</source>
        <translation>Lock now (Ctrl+L)</translation>
    </message>
    <message>
        <source>Xem xung đột</source>
        <translation>Review conflicts</translation>
    </message>
    <message>
        <source>Xem thay đổi bị từ chối</source>
        <translation>Review refused changes</translation>
    </message>
    <message>
        <source>Chưa chọn người ghi</source>
        <translation>Logging as: not chosen</translation>
    </message>
    <message>
        <source>Người ghi: %1 (tổ trưởng)</source>
        <translation>Logging as: %1 (leader)</translation>
    </message>
    <message>
        <source>Người ghi: %1</source>
        <translation>Logging as: %1</translation>
    </message>
    <message>
        <source>Hôm nay: %1 lượt hỗ trợ</source>
        <translation>Help sessions today: %1</translation>
    </message>
</context>
<context>
    <name>MemberForm</name>
    <message>
        <source>ví dụ 1965 (có thể để trống)</source>
        <translation>e.g. 1965 (may be left blank)</translation>
    </message>
    <message>
        <source>ví dụ 0912 345 678 (có thể để trống)</source>
        <translation>e.g. 0912 345 678 (may be left blank)</translation>
    </message>
    <message>
        <source>Người dân đồng ý cho lưu thông tin</source>
        <translation>Resident consents to their details being stored</translation>
    </message>
    <message>
        <source>&amp;Họ tên:</source>
        <translation>&amp;Full name:</translation>
    </message>
    <message>
        <source>&amp;Năm sinh:</source>
        <translation>&amp;Birth year:</translation>
    </message>
    <message>
        <source>Số điện t&amp;hoại:</source>
        <translation>&amp;Phone number:</translation>
    </message>
    <message>
        <source>Đồn&amp;g ý:</source>
        <translation>&amp;Consent:</translation>
    </message>
    <message>
        <source>Chưa đồng ý — hãy hỏi người dân trước khi đánh dấu.</source>
        <translation>No consent yet — ask the resident before ticking.</translation>
    </message>
    <message>
        <source>Ngày đồng ý: %1</source>
        <translation>Consent date: %1</translation>
    </message>
</context>
<context>
    <name>MembersModel</name>
    <message>
        <source>Họ tên</source>
        <translation>Full name</translation>
    </message>
    <message>
        <source>Năm sinh</source>
        <translation>Birth year</translation>
    </message>
    <message>
        <source>Số điện thoại</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <source>Đồng ý</source>
        <translation>Consent</translation>
    </message>
    <message>
        <source>Đã đồng ý ngày %1</source>
        <translation>Consented on %1</translation>
    </message>
    <message>
        <source>Đã rút lại %1</source>
        <translation>Withdrew %1</translation>
    </message>
</context>
<context>
    <name>MembersPage</name>
    <message>
        <source>Thành viên tổ</source>
        <translation>Team members</translation>
    </message>
    <message>
        <source>Gõ họ tên từng thành viên rồi nhấn Enter. Đánh dấu «Tổ trưởng» cho người phụ trách (cần ít nhất một).</source>
        <translation>Type each member&apos;s full name and press Enter. Tick “Team leader” for the person in charge (at least one is needed).</translation>
    </message>
    <message>
        <source>&amp;Họ tên:</source>
        <translation>Full na&amp;me:</translation>
    </message>
    <message>
        <source>ví dụ: Phạm Đăng Xuyết</source>
        <translation>e.g. Phạm Đăng Xuyết</translation>
    </message>
    <message>
        <source>Tổ t&amp;rưởng</source>
        <translation>Team &amp;leader</translation>
    </message>
    <message>
        <source>Đổi &amp;vai trò (tổ trưởng / thành viên)</source>
        <translation>Change r&amp;ole (leader / member)</translation>
    </message>
    <message>
        <source>&amp;Xóa người đã chọn</source>
        <translation>&amp;Remove selected person</translation>
    </message>
    <message>
        <source>Hãy gõ họ tên trước khi thêm.</source>
        <translation>Type a full name before adding.</translation>
    </message>
    <message>
        <source>Cần ít nhất một thành viên tổ để tiếp tục.</source>
        <translation>At least one team member is needed to continue.</translation>
    </message>
    <message>
        <source>Cần ít nhất một tổ trưởng: chọn một người rồi nhấn «Đổi vai trò».</source>
        <translation>At least one leader is needed: choose a person, then press “Change role”.</translation>
    </message>
</context>
<context>
    <name>MergeDialog</name>
    <message>
        <source>Gộp hộ trùng vào hộ này</source>
        <translation>Merge a duplicate into this household</translation>
    </message>
    <message>
        <source>Tìm hộ bị ghi trùng. Các lượt hỗ trợ và nhân khẩu của hộ đó sẽ chuyển sang hộ đang xem, rồi hộ trùng bị xóa khỏi danh sách.</source>
        <translation>Find the household that was entered twice. Its help sessions and members will move to the household you are viewing, then the duplicate is removed from the list.</translation>
    </message>
    <message>
        <source>Gõ tên chủ hộ, nhân khẩu hoặc số điện thoại (không cần dấu)</source>
        <translation>Type the name of the head or a member, or a phone number (no diacritics needed)</translation>
    </message>
    <message>
        <source>&amp;Tìm hộ trùng:</source>
        <translation>&amp;Find duplicate:</translation>
    </message>
    <message>
        <source>Các hộ có thể bị trùng:</source>
        <translation>Possible duplicates:</translation>
    </message>
    <message>
        <source>Sẽ thay đổi</source>
        <translation>What will change</translation>
    </message>
    <message>
        <source>Chọn một hộ trong danh sách để xem trước.</source>
        <translation>Choose a household in the list to see a preview.</translation>
    </message>
    <message>
        <source>Tôi đã kiểm tra: đây là &amp;cùng một hộ gia đình, gộp không hoàn tác được.</source>
        <translation>I have checked: this is the &amp;same household. A merge cannot be undone.</translation>
    </message>
    <message>
        <source>Chưa chọn người đang ghi: hãy chọn «Ai đang ghi?» trước khi gộp.</source>
        <translation>You have not chosen who is logging: use “Who is logging?” before merging.</translation>
    </message>
    <message>
        <source>&amp;Gộp vào hộ này</source>
        <translation>&amp;Merge into this household</translation>
    </message>
    <message>
        <source>Hủy</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Kết quả tìm kiếm:</source>
        <translation>Search results:</translation>
    </message>
    <message>
        <source>Không tìm thấy hộ nào. Gõ tên khác hoặc số điện thoại.</source>
        <translation>No household found. Type another name or a phone number.</translation>
    </message>
    <message>
        <source>Đang xem trước…</source>
        <translation>Preparing the preview…</translation>
    </message>
    <message>
        <source>Hộ «%1» (%2) sẽ được gộp vào hộ «%3» (%4).
Chuyển sang: %5 lượt hỗ trợ và %6 nhân khẩu.
Sau khi gộp, hộ «%1» không còn trong danh sách.</source>
        <translation>Household “%1” (%2) will be merged into household “%3” (%4).
Moving across: %5 help sessions and %6 members.
After the merge, household “%1” will no longer be in the list.</translation>
    </message>
    <message>
        <source>Đang gộp hộ…</source>
        <translation>Merging households…</translation>
    </message>
</context>
<context>
    <name>NewHouseholdPanel</name>
    <message>
        <source>&lt;b&gt;Thêm hộ mới&lt;/b&gt;</source>
        <translation>&lt;b&gt;Add a new household&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Xóm, số nhà… (không bắt buộc)</source>
        <translation>Hamlet, house number… (optional)</translation>
    </message>
    <message>
        <source>Không bắt buộc, ví dụ 0912 345 678</source>
        <translation>Optional, e.g. 0912 345 678</translation>
    </message>
    <message>
        <source>Năm sinh của chủ hộ (không bắt buộc)</source>
        <translation>Birth year of the head of household (optional)</translation>
    </message>
    <message>
        <source>Họ tên chủ hộ</source>
        <translation>Head of household</translation>
    </message>
    <message>
        <source>Thôn</source>
        <translation>Village</translation>
    </message>
    <message>
        <source>Địa chỉ</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>Số điện thoại</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <source>Năm sinh</source>
        <translation>Birth year</translation>
    </message>
    <message>
        <source>Tạo hộ (Enter)</source>
        <translation>Create household (Enter)</translation>
    </message>
    <message>
        <source>Quay lại tìm kiếm (Esc)</source>
        <translation>Back to search (Esc)</translation>
    </message>
    <message>
        <source>Có thể hộ này đã có. Chọn một hộ bên dưới rồi Enter để dùng hộ đó, hoặc nhấn «Tạo hộ» lần nữa nếu đây đúng là hộ mới.</source>
        <translation>This household may already exist. Choose one below and press Enter to use it, or press “Create household” again if it really is a new household.</translation>
    </message>
</context>
<context>
    <name>NotDoneDialog</name>
    <message>
        <source>Chưa được</source>
        <translation>Not done</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; — %2&lt;br&gt;Hẹn ngày %3</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; — %2&lt;br&gt;Follow-up date: %3</translation>
    </message>
    <message>
        <source>Chưa thành công, lý &amp;do:</source>
        <translation>Failed, &amp;reason:</translation>
    </message>
    <message>
        <source>Ví dụ: chưa mang căn cước, điện thoại hỏng…</source>
        <translation>E.g. did not bring ID card, phone broken…</translation>
    </message>
    <message>
        <source>&amp;Hẹn lại ngày khác:</source>
        <translation>&amp;Follow up on another day:</translation>
    </message>
    <message>
        <source>Lưu</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>Hủy</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Hãy ghi lý do chưa thành công, hoặc chọn hẹn lại ngày khác.</source>
        <translation>Write down why it failed, or choose to follow up on another day.</translation>
    </message>
</context>
<context>
    <name>OutcomeRow</name>
    <message>
        <source>1 Thành công</source>
        <translation>1 Done</translation>
    </message>
    <message>
        <source>2 Hẹn lại</source>
        <translation>2 Follow-up</translation>
    </message>
    <message>
        <source>3 Chưa thành công</source>
        <translation>3 Failed</translation>
    </message>
    <message>
        <source>Lý do chưa thành công</source>
        <translation>Why it failed</translation>
    </message>
</context>
<context>
    <name>PeriodPicker</name>
    <message>
        <source>Tất cả</source>
        <translation>All</translation>
    </message>
    <message>
        <source>Hôm nay</source>
        <translation>Today</translation>
    </message>
    <message>
        <source>Tuần này</source>
        <translation>This week</translation>
    </message>
    <message>
        <source>Tuần trước</source>
        <translation>Last week</translation>
    </message>
    <message>
        <source>Tháng này</source>
        <translation>This month</translation>
    </message>
    <message>
        <source>Tùy chọn…</source>
        <translation>Custom…</translation>
    </message>
    <message>
        <source>từ</source>
        <translation>from</translation>
    </message>
    <message>
        <source>đến</source>
        <translation>to</translation>
    </message>
</context>
<context>
    <name>PinPrompt</name>
    <message>
        <source>&amp;Tên bạn:</source>
        <translation>&amp;Your name:</translation>
    </message>
    <message>
        <source>6–8 chữ số</source>
        <translation>6–8 digits</translation>
    </message>
    <message>
        <source>&amp;Mã PIN:</source>
        <translation>&amp;PIN:</translation>
    </message>
    <message>
        <source>Hãy nhập mã PIN của bạn.</source>
        <translation>Type your PIN.</translation>
    </message>
    <message>
        <source>Đang kiểm tra…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <source>Không kiểm tra được mã PIN do lỗi ngoài dự kiến.</source>
        <translation>The PIN could not be checked because of an unexpected error.</translation>
    </message>
</context>
<context>
    <name>PinSettings</name>
    <message>
        <source>Mã PIN và khóa màn hình</source>
        <translation>PINs and screen lock</translation>
    </message>
    <message>
        <source>Đặt mã PIN của tôi…</source>
        <translation>Set my PIN…</translation>
    </message>
    <message>
        <source>Xóa mã PIN để đặt lại</source>
        <translation>Remove the PIN to reset it</translation>
    </message>
    <message>
        <source>Không bao giờ</source>
        <translation>Never</translation>
    </message>
    <message>
        <source> phút</source>
        <translation> minutes</translation>
    </message>
    <message>
        <source>&amp;Khóa màn hình sau</source>
        <translation>&amp;Lock the screen after</translation>
    </message>
    <message>
        <source>Mã PIN của tôi</source>
        <translation>My PIN</translation>
    </message>
    <message>
        <source>Đặt lại mã PIN (tổ trưởng)</source>
        <translation>Reset a PIN (leader)</translation>
    </message>
    <message>
        <source>Chưa đặt mã PIN: ai mở máy cũng xem được dữ liệu.</source>
        <translation>No PIN set: anyone opening this laptop can see the data.</translation>
    </message>
    <message>
        <source>%1 thành viên đã đặt mã PIN: phải nhập mã PIN mới mở được ứng dụng. Quên mã PIN thì nhờ tổ trưởng đặt lại.</source>
        <translation>%1 team members have a PIN: the app opens only with a PIN. A forgotten PIN is reset by a leader.</translation>
    </message>
    <message>
        <source>Đổi mã PIN của tôi…</source>
        <translation>Change my PIN…</translation>
    </message>
    <message>
        <source>Đặt mã PIN của tổ trưởng</source>
        <translation>Set a leader&apos;s PIN</translation>
    </message>
    <message>
        <source>Đặt lại mã PIN</source>
        <translation>Reset a PIN</translation>
    </message>
    <message>
        <source>Xóa mã PIN?</source>
        <translation>Remove the PIN?</translation>
    </message>
    <message>
        <source>Xóa mã PIN của %1? Người này sẽ đặt mã PIN mới trong Cài đặt khi đang là người ghi.</source>
        <translation>Remove the PIN of %1? They set a new one in Settings while they are the one logging.</translation>
    </message>
</context>
<context>
    <name>PrivacyPanel</name>
    <message>
        <source>Xuất dữ liệu của người này…</source>
        <translation>Export what we hold about this person…</translation>
    </message>
    <message>
        <source>Xóa dữ liệu theo yêu cầu…</source>
        <translation>Erase data on request…</translation>
    </message>
    <message>
        <source>Rút lại đồng ý</source>
        <translation>Withdraw consent</translation>
    </message>
    <message>
        <source>Ghi nhận đồng ý</source>
        <translation>Record consent</translation>
    </message>
    <message>
        <source>Chọn một nhân khẩu để xem việc đồng ý lưu thông tin.</source>
        <translation>Choose a household member to see their consent.</translation>
    </message>
    <message>
        <source>Dữ liệu của người này đã được xóa theo yêu cầu.</source>
        <translation>This person&apos;s data was erased on request.</translation>
    </message>
    <message>
        <source>Đồng ý cho lưu thông tin ngày %1</source>
        <translation>Consented to keeping their details on %1</translation>
    </message>
    <message>
        <source>, ghi nhận bởi %1</source>
        <translation>, recorded by %1</translation>
    </message>
    <message>
        <source>Đã rút lại đồng ý ngày %1</source>
        <translation>Withdrew consent on %1</translation>
    </message>
    <message>
        <source>%1 chưa đồng ý cho lưu thông tin.</source>
        <translation>%1 has not consented to keeping their details.</translation>
    </message>
    <message>
        <source>Chưa chọn người nhập</source>
        <translation>Nobody is logging</translation>
    </message>
    <message>
        <source>Hãy chọn thành viên tổ đang nhập liệu trước.</source>
        <translation>First choose the team member who is logging.</translation>
    </message>
    <message>
        <source>Đã ghi nhận %1 rút lại đồng ý.</source>
        <translation>Recorded that %1 withdrew consent.</translation>
    </message>
    <message>
        <source>Đã ghi nhận %1 đồng ý cho lưu thông tin.</source>
        <translation>Recorded that %1 consents to keeping their details.</translation>
    </message>
    <message>
        <source>Tệp văn bản (*.txt)</source>
        <translation>Text files (*.txt)</translation>
    </message>
    <message>
        <source>Xuất dữ liệu của người này</source>
        <translation>Export what we hold about this person</translation>
    </message>
    <message>
        <source>Lưu dữ liệu đang lưu về %1</source>
        <translation>Save what we hold about %1</translation>
    </message>
    <message>
        <source>du-lieu-dang-luu.txt</source>
        <translation>what-we-hold.txt</translation>
    </message>
    <message>
        <source>Đã lưu dữ liệu về %1 vào %2. Việc xuất này được ghi lại.</source>
        <translation>Saved what we hold about %1 to %2. This export is recorded.</translation>
    </message>
    <message>
        <source>Xóa dữ liệu theo yêu cầu</source>
        <translation>Erase data on request</translation>
    </message>
    <message>
        <source>Xóa theo yêu cầu của người dân sẽ xóa hẳn: họ tên, số điện thoại, năm sinh, địa chỉ, ghi chú, và ghi chú / lý do chưa thành công của các lượt hỗ trợ của họ. Việc xóa không hoàn tác được và sẽ được đồng bộ tới máy chủ xã và các máy khác.

Vẫn giữ lại: số lượt hỗ trợ (loại hỗ trợ, kết quả, ngày) để các báo cáo không thay đổi, nhưng không còn biết là của ai.</source>
        <translation>Erasing at the resident&apos;s request removes for good: names, phone numbers, birth years, address, notes, and the notes / failure reasons of their help sessions. It cannot be undone and is synced to the commune server and the other laptops.

Kept: the help sessions as counts (service, result, date), so reports do not change, but no longer whose they were.</translation>
    </message>
    <message>
        <source>Xóa dữ liệu của %1</source>
        <translation>Erase the data of %1</translation>
    </message>
    <message>
        <source>Xóa dữ liệu của cả hộ (%1 người)</source>
        <translation>Erase the whole household (%1 people)</translation>
    </message>
    <message>
        <source>&amp;Không xóa</source>
        <translation>&amp;Keep the data</translation>
    </message>
    <message>
        <source>Đã xóa thông tin cá nhân của %1 người; %2 lượt hỗ trợ vẫn được tính (không còn tên).</source>
        <translation>Erased the personal details of %1 people; %2 help sessions still count (without names).</translation>
    </message>
</context>
<context>
    <name>PurgeDialog</name>
    <message>
        <source>Xóa thông tin cá nhân quá thời hạn lưu</source>
        <translation>Purge personal data past the retention period</translation>
    </message>
    <message>
        <source>Thôn</source>
        <translation>Village</translation>
    </message>
    <message>
        <source>Chủ hộ</source>
        <translation>Head of household</translation>
    </message>
    <message>
        <source>Số người</source>
        <translation>People</translation>
    </message>
    <message>
        <source>Liên hệ lần cuối</source>
        <translation>Last contact</translation>
    </message>
    <message>
        <source>%1 hộ (%2 người) không liên hệ từ trước %3:</source>
        <translation>%1 households (%2 people) with no contact since before %3:</translation>
    </message>
    <message>
        <source>Xóa thông tin của %1 hộ</source>
        <translation>Purge %1 households</translation>
    </message>
    <message>
        <source>Để sau</source>
        <translation>Later</translation>
    </message>
    <message>
        <source>Theo đồng hồ máy này hôm nay là %1; thời hạn lưu %2 tháng. Xóa thì không hoàn tác được và được đồng bộ tới mọi máy. Nếu ngày hôm nay sai, đừng xóa: hãy chỉnh ngày giờ của máy.</source>
        <translation>By this laptop&apos;s clock today is %1; the retention period is %2 months. A purge cannot be undone and syncs to every laptop. If today&apos;s date is wrong, do not purge: set the laptop&apos;s date and time.</translation>
    </message>
    <message>
        <source>Chủ hộ / chiến dịch</source>
        <translation>Head of household / campaign</translation>
    </message>
    <message>
        <source>%4 dòng danh sách chiến dịch không gắn với ai trong sổ, của các chiến dịch đã hết hạn trước %3 (chỉ xóa họ tên, năm sinh, điện thoại, số giấy tờ; số liệu chiến dịch giữ nguyên):</source>
        <translation>%4 campaign list rows linked to nobody in the logbook, of campaigns that ended before %3 (only name, birth year, phone and ID digits are purged; the campaigns&apos; figures stay):</translation>
    </message>
    <message>
        <source>%1 hộ (%2 người) không liên hệ từ trước %3, và %4 dòng danh sách chiến dịch không gắn với ai, của các chiến dịch hết hạn trước ngày đó (số liệu chiến dịch giữ nguyên):</source>
        <translation>%1 households (%2 people) with no contact since before %3, and %4 campaign list rows linked to nobody, of campaigns that ended before that day (the campaigns&apos; figures stay):</translation>
    </message>
    <message>
        <source>Danh sách chiến dịch</source>
        <translation>Campaign list</translation>
    </message>
    <message>
        <source>Xóa %1 dòng danh sách</source>
        <translation>Purge %1 list rows</translation>
    </message>
    <message>
        <source>Xóa thông tin của %1 hộ và %2 dòng danh sách</source>
        <translation>Purge %1 households and %2 list rows</translation>
    </message>
    <message>
        <source>Xóa thông tin quá thời hạn lưu</source>
        <translation>Purge data past the retention period</translation>
    </message>
</context>
<context>
    <name>Recovery</name>
    <message>
        <source>bản sao lưu lúc %1: %2 hộ, %3 lượt hỗ trợ</source>
        <translation>the backup of %1: %2 households, %3 help sessions</translation>
    </message>
    <message>
        <source>Dữ liệu bị hỏng</source>
        <translation>Damaged data</translation>
    </message>
    <message>
        <source>Tệp dữ liệu trên máy này bị hỏng và không có bản sao lưu tốt nào trong thư mục backups. Đừng xóa gì cả: hãy liên hệ người hỗ trợ kỹ thuật của xã.</source>
        <translation>The data file on this laptop is damaged and there is no good backup in the backups folder. Do not delete anything: contact the commune&apos;s technical support.</translation>
    </message>
    <message>
        <source>Tệp dữ liệu trên máy này bị hỏng (có thể do mất điện hoặc ổ đĩa lỗi).

Khôi phục %1?

Những gì ghi sau lúc đó trên máy này sẽ không còn; những gì đã đồng bộ sẽ được tải lại từ máy chủ xã. Tệp hỏng được giữ lại trong thư mục backups.</source>
        <translation>The data file on this laptop is damaged (a power cut or a failing disk, perhaps).

Restore %1?

What was recorded on this laptop after that time is lost; what was synced comes back from the commune server. The damaged file is kept in the backups folder.</translation>
    </message>
</context>
<context>
    <name>ReportActions</name>
    <message>
        <source>Xem trước khi in</source>
        <translation>Print preview</translation>
    </message>
    <message>
        <source>In báo cáo</source>
        <translation>Print the report</translation>
    </message>
    <message>
        <source>Không in được: máy in không sẵn sàng. Hãy kiểm tra máy in rồi in lại.</source>
        <translation>Could not print: the printer is not ready. Check the printer and print again.</translation>
    </message>
    <message>
        <source>Đã gửi %1 trang tới máy in %2.</source>
        <translation>Sent %1 page(s) to the printer %2.</translation>
    </message>
    <message>
        <source>Lưu báo cáo PDF</source>
        <translation>Save the report as PDF</translation>
    </message>
    <message>
        <source>Đã lưu báo cáo PDF (%1 trang): %2</source>
        <translation>Report saved as PDF (%1 page(s)): %2</translation>
    </message>
    <message>
        <source>Xuất bảng tính Excel</source>
        <translation>Export an Excel spreadsheet</translation>
    </message>
    <message>
        <source>Bảng tính Excel (*.xlsx)</source>
        <translation>Excel spreadsheets (*.xlsx)</translation>
    </message>
    <message>
        <source>Đã xuất bảng tính Excel: %1</source>
        <translation>Excel spreadsheet exported: %1</translation>
    </message>
    <message>
        <source>Đang xuất Excel…</source>
        <translation>Exporting to Excel…</translation>
    </message>
</context>
<context>
    <name>SavePlace</name>
    <message>
        <source>Tệp PDF (*.pdf)</source>
        <translation>PDF files (*.pdf)</translation>
    </message>
    <message>
        <source>Đang lưu PDF…</source>
        <translation>Saving the PDF…</translation>
    </message>
</context>
<context>
    <name>SavedFileNotice</name>
    <message>
        <source>&amp;Mở tệp</source>
        <translation>&amp;Open the file</translation>
    </message>
    <message>
        <source>Không mở được tệp. Hãy mở thư mục «%1» rồi mở tệp «%2».</source>
        <translation>The file could not be opened. Open the folder “%1”, then the file “%2”.</translation>
    </message>
</context>
<context>
    <name>ServiceTallyModel</name>
    <message>
        <source>STT</source>
        <translation>No.</translation>
    </message>
    <message>
        <source>Loại hỗ trợ</source>
        <translation>Service</translation>
    </message>
    <message>
        <source>Tổng cộng</source>
        <translation>Total</translation>
    </message>
</context>
<context>
    <name>SessionTableModel</name>
    <message>
        <source>Hẹn lại %1</source>
        <translation>Follow-up %1</translation>
    </message>
    <message>
        <source>Chưa thành công: %1</source>
        <translation>Failed: %1</translation>
    </message>
    <message>
        <source>Thành công</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>Thời gian</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>Chủ hộ</source>
        <translation>Head of household</translation>
    </message>
    <message>
        <source>Thôn</source>
        <translation>Village</translation>
    </message>
    <message>
        <source>Người được hỗ trợ</source>
        <translation>Person helped</translation>
    </message>
    <message>
        <source>Loại hỗ trợ</source>
        <translation>Service</translation>
    </message>
    <message>
        <source>Kết quả</source>
        <translation>Result</translation>
    </message>
    <message>
        <source>Người ghi</source>
        <translation>Logged by</translation>
    </message>
    <message>
        <source>Lượt hỗ trợ đã hủy: %1</source>
        <translation>Cancelled session: %1</translation>
    </message>
</context>
<context>
    <name>SessionText</name>
    <message>
        <source>Giờ</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>Hộ</source>
        <translation>Household</translation>
    </message>
    <message>
        <source>Người được hỗ trợ</source>
        <translation>Person helped</translation>
    </message>
    <message>
        <source>Loại hỗ trợ</source>
        <translation>Service</translation>
    </message>
    <message>
        <source>Kết quả</source>
        <translation>Result</translation>
    </message>
    <message>
        <source>Người ghi</source>
        <translation>Logged by</translation>
    </message>
</context>
<context>
    <name>SessionsView</name>
    <message>
        <source>Tên chủ hộ (gõ không dấu cũng được)</source>
        <translation>Name of the head of household (no diacritics needed)</translation>
    </message>
    <message>
        <source>Tất cả các thôn</source>
        <translation>All villages</translation>
    </message>
    <message>
        <source>Tất cả loại hỗ trợ</source>
        <translation>All services</translation>
    </message>
    <message>
        <source>Tất cả thành viên tổ</source>
        <translation>All team members</translation>
    </message>
    <message>
        <source>Mọi kết quả</source>
        <translation>All results</translation>
    </message>
    <message>
        <source>Thành công</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>Hẹn lại</source>
        <translation>Follow-up</translation>
    </message>
    <message>
        <source>Chưa thành công</source>
        <translation>Failed</translation>
    </message>
    <message>
        <source>Hiện cả lượt đã hủ&amp;y</source>
        <translation>Show ca&amp;ncelled sessions too</translation>
    </message>
    <message>
        <source>&amp;Thời gian:</source>
        <translation>&amp;Period:</translation>
    </message>
    <message>
        <source>Tìm &amp;chủ hộ:</source>
        <translation>Find &amp;head of household:</translation>
    </message>
    <message>
        <source>T&amp;hôn:</source>
        <translation>&amp;Village:</translation>
    </message>
    <message>
        <source>&amp;Loại hỗ trợ:</source>
        <translation>&amp;Service:</translation>
    </message>
    <message>
        <source>Người &amp;ghi:</source>
        <translation>Logged &amp;by:</translation>
    </message>
    <message>
        <source>&amp;Kết quả:</source>
        <translation>&amp;Result:</translation>
    </message>
    <message>
        <source>Không có lượt hỗ trợ nào khớp bộ lọc.</source>
        <translation>No help sessions match the filters.</translation>
    </message>
    <message>
        <source>%1 lượt hỗ trợ</source>
        <translation>Help sessions: %1</translation>
    </message>
</context>
<context>
    <name>SetAsideDialog</name>
    <message>
        <source>Thay đổi bị máy chủ từ chối</source>
        <translation>Changes the server refused</translation>
    </message>
    <message>
        <source>Máy chủ xã không nhận các thay đổi này; các thay đổi khác vẫn được gửi. Sửa lại bản ghi rồi bấm Gửi lại, hoặc bỏ thay đổi không cần nữa.</source>
        <translation>The commune server did not accept these changes; the others are still sent. Put the record right and press Send again, or discard a change no longer needed.</translation>
    </message>
    <message>
        <source>Thay đổi</source>
        <translation>Change</translation>
    </message>
    <message>
        <source>Lý do</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>Gửi lại</source>
        <translation>Send again</translation>
    </message>
    <message>
        <source>Bỏ thay đổi</source>
        <translation>Discard</translation>
    </message>
</context>
<context>
    <name>SetPinDialog</name>
    <message>
        <source>Mã PIN của %1</source>
        <translation>PIN of %1</translation>
    </message>
    <message>
        <source>Chọn 4 đến 8 chữ số, không lặp một chữ số (1111), không theo dãy (1234). Mã dài hơn thì an toàn hơn. Đừng cho người khác biết.</source>
        <translation>Choose 4 to 8 digits, not one digit repeated (1111), not a run (1234). Longer is safer. Tell nobody.</translation>
    </message>
    <message>
        <source>Mã PIN hiện tại</source>
        <translation>Current PIN</translation>
    </message>
    <message>
        <source>Mã PIN mới</source>
        <translation>New PIN</translation>
    </message>
    <message>
        <source>Nhập lại mã PIN mới</source>
        <translation>New PIN again</translation>
    </message>
    <message>
        <source>Lưu mã PIN</source>
        <translation>Save the PIN</translation>
    </message>
    <message>
        <source>Hủy</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Đang lưu…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <source>Không lưu được mã PIN do lỗi ngoài dự kiến.</source>
        <translation>The PIN could not be saved because of an unexpected error.</translation>
    </message>
</context>
<context>
    <name>SettingsView</name>
    <message>
        <source>Chữ lớn (dễ đọc hơn)</source>
        <translation>Large text (easier to read)</translation>
    </message>
    <message>
        <source>Đổi người ghi…</source>
        <translation>Change who is logging…</translation>
    </message>
    <message>
        <source>Ngôn ngữ</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>Cỡ chữ</source>
        <translation>Text size</translation>
    </message>
    <message>
        <source>Người ghi trên máy này</source>
        <translation>Person logging on this computer</translation>
    </message>
    <message>
        <source>Hiển thị</source>
        <translation>Display</translation>
    </message>
    <message>
        <source>Mở thư mục</source>
        <translation>Open folder</translation>
    </message>
    <message>
        <source>Sao lưu ngay</source>
        <translation>Back up now</translation>
    </message>
    <message>
        <source>Khôi phục từ bản sao lưu…</source>
        <translation>Restore from a backup…</translation>
    </message>
    <message>
        <source>Thư mục dữ liệu</source>
        <translation>Data folder</translation>
    </message>
    <message>
        <source> bản mỗi loại</source>
        <translation> of each kind</translation>
    </message>
    <message>
        <source>Máy tự sao lưu mỗi ngày một lần và trước mỗi lần nâng cấp hay khôi phục; bản sao lưu bạn tự tạo không bao giờ bị xóa.</source>
        <translation>The laptop backs up once a day and before every upgrade or restore; backups you make yourself are never deleted.</translation>
    </message>
    <message>
        <source>Giữ bản sao lưu tự động</source>
        <translation>Automatic backups kept</translation>
    </message>
    <message>
        <source>Dữ liệu</source>
        <translation>Data</translation>
    </message>
    <message>
        <source>&lt;b&gt;VillageHelper %1&lt;/b&gt;&lt;br&gt;Sổ hỗ trợ người dân của Tổ công nghệ số cộng đồng.&lt;br&gt;Giấy phép GPL-3.0-or-later. Danh mục đơn vị hành chính 2025 từ gói vietnam-provinces.</source>
        <translation>&lt;b&gt;VillageHelper %1&lt;/b&gt;&lt;br&gt;The community digital technology team&apos;s log of help given to residents.&lt;br&gt;Licence: GPL-3.0-or-later. 2025 list of administrative units from the vietnam-provinces package.</translation>
    </message>
    <message>
        <source>Giới thiệu</source>
        <translation>About</translation>
    </message>
    <message>
        <source>Ngôn ngữ mới được dùng từ lần mở ứng dụng sau.</source>
        <translation>The new language is used from the next time the app is opened.</translation>
    </message>
    <message>
        <source>Đang sao lưu…</source>
        <translation>Backing up…</translation>
    </message>
    <message>
        <source>Đã sao lưu %1 hộ, %2 lượt hỗ trợ vào:
%3</source>
        <translation>Backed up %1 households and %2 help sessions to:
%3</translation>
    </message>
    <message>
        <source>Chọn bản sao lưu</source>
        <translation>Choose a backup</translation>
    </message>
    <message>
        <source>Dữ liệu VillageHelper (*.sqlite3)</source>
        <translation>VillageHelper data (*.sqlite3)</translation>
    </message>
    <message>
        <source>Đây là tệp dữ liệu đang dùng, không phải bản sao lưu.</source>
        <translation>This is the data file in use, not a backup.</translation>
    </message>
    <message>
        <source>Khôi phục dữ liệu?</source>
        <translation>Restore data?</translation>
    </message>
    <message>
        <source>Đang khôi phục…</source>
        <translation>Restoring…</translation>
    </message>
    <message>
        <source>Dữ liệu hiện tại sẽ được thay bằng bản sao lưu
%1.</source>
        <translation>The current data will be replaced by the backup
%1.</translation>
    </message>
    <message>
        <source>Dữ liệu hiện tại vẫn được giữ một bản trong thư mục backups. Tiếp tục?</source>
        <translation>A copy of the current data is kept in the backups folder. Continue?</translation>
    </message>
    <message>
        <source>Đã khôi phục %1 hộ, %2 lượt hỗ trợ. Ứng dụng sẽ mở lại.</source>
        <translation>Restored %1 households and %2 help sessions. The app will now restart.</translation>
    </message>
    <message>
        <source>Đổi cài đặt của tổ trưởng</source>
        <translation>Change the leader&apos;s settings</translation>
    </message>
    <message>
        <source>Khôi phục dữ liệu, số bản sao lưu, thời hạn lưu, thời gian khóa màn hình và đăng ký với máy chủ xã chỉ tổ trưởng thay đổi được.</source>
        <translation>Restoring data, the number of backups, the retention period, the screen-lock time and enrolment with the commune server are changed by leaders only.</translation>
    </message>
    <message>
        <source> tháng</source>
        <translation> months</translation>
    </message>
    <message>
        <source>Sau thời hạn này kể từ lần hỗ trợ hoặc lần sửa cuối, họ tên, số điện thoại, địa chỉ và ghi chú của hộ được tự động xóa (mỗi ngày một lần, máy tổ trưởng làm và đồng bộ cho các máy khác). Số lượt hỗ trợ vẫn được giữ cho báo cáo.</source>
        <translation>This long after the last help session or edit, a household&apos;s names, phone numbers, address and notes are erased automatically (once a day, by the leader&apos;s laptop, and synced to the others). Help sessions are kept as counts for the reports.</translation>
    </message>
    <message>
        <source>Giữ thông tin cá nhân</source>
        <translation>Keep personal details</translation>
    </message>
    <message>
        <source>Thời hạn lưu thông tin cá nhân</source>
        <translation>How long personal details are kept</translation>
    </message>
</context>
<context>
    <name>SingleInstance</name>
    <message>
        <source>VillageHelper đã đang mở với thư mục dữ liệu này; cửa sổ đó đã được đưa lên trước. Hãy dùng cửa sổ đang mở (mỗi thư mục dữ liệu chỉ mở một lần).</source>
        <translation>VillageHelper is already open with this data folder; its window has been brought to the front. Use the open window (each data folder opens only once).</translation>
    </message>
    <message>
        <source>Lệnh «villagehelper %1» đang thay đổi dữ liệu trong thư mục này. Hãy chờ lệnh chạy xong rồi mở lại VillageHelper.</source>
        <translation>The command «villagehelper %1» is changing the data in this folder. Wait for it to finish, then open VillageHelper again.</translation>
    </message>
</context>
<context>
    <name>SyncSettings</name>
    <message>
        <source>Đồng bộ với máy chủ xã</source>
        <translation>Sync with the commune server</translation>
    </message>
    <message>
        <source>Máy này chưa đăng ký với máy chủ xã.</source>
        <translation>This laptop is not enrolled with the commune server.</translation>
    </message>
    <message>
        <source>Đăng ký máy này</source>
        <translation>Enrol this laptop</translation>
    </message>
    <message>
        <source>Đồng bộ ngay</source>
        <translation>Sync now</translation>
    </message>
    <message>
        <source>Kiểm tra cập nhật</source>
        <translation>Check for updates</translation>
    </message>
    <message>
        <source>Địa chỉ máy chủ</source>
        <translation>Server address</translation>
    </message>
    <message>
        <source>Mã đăng ký (tổ trưởng cấp)</source>
        <translation>Enrolment code (from the leader)</translation>
    </message>
    <message>
        <source>Tên máy</source>
        <translation>Laptop name</translation>
    </message>
    <message>
        <source>tổ trưởng</source>
        <translation>leader</translation>
    </message>
    <message>
        <source>thành viên</source>
        <translation>member</translation>
    </message>
    <message>
        <source>Đã đăng ký với %1 (quyền %2). Đăng ký lại chỉ khi tổ trưởng cấp mã mới.</source>
        <translation>Enrolled with %1 (as %2). Enrol again only with a new code from the leader.</translation>
    </message>
    <message>
        <source>Hãy nhập địa chỉ máy chủ và mã đăng ký.</source>
        <translation>Enter the server address and the enrolment code.</translation>
    </message>
    <message>
        <source>Đang đăng ký…</source>
        <translation>Enrolling…</translation>
    </message>
    <message>
        <source>Đăng ký gặp lỗi ngoài dự kiến; hãy thử lại.</source>
        <translation>Enrolment failed unexpectedly; please try again.</translation>
    </message>
    <message>
        <source>Đã đăng ký. Máy đang đồng bộ lần đầu với %1.</source>
        <translation>Enrolled. The first sync with %1 is running.</translation>
    </message>
    <message>
        <source>Đang hỏi máy chủ xã về bản cập nhật…</source>
        <translation>Asking the commune server for an update…</translation>
    </message>
    <message>
        <source>Máy này đang dùng phiên bản mới nhất.</source>
        <translation>This laptop runs the newest version.</translation>
    </message>
    <message>
        <source>Có phiên bản mới %1: xem thanh thông báo ở đầu cửa sổ.</source>
        <translation>New version %1 available: see the notice at the top of the window.</translation>
    </message>
</context>
<context>
    <name>SyncStatusBar</name>
    <message>
        <source>Đồng bộ: chưa thiết lập</source>
        <translation>Sync: not set up</translation>
    </message>
    <message>
        <source>Đồng bộ ngay</source>
        <translation>Sync now</translation>
    </message>
    <message>
        <source>Gửi và nhận dữ liệu với máy chủ xã (Ctrl+Shift+S)</source>
        <translation>Send and receive data with the commune server (Ctrl+Shift+S)</translation>
    </message>
    <message>
        <source>Chưa gửi: %1</source>
        <translation>Not sent: %1</translation>
    </message>
    <message>
        <source>chưa đồng bộ lần nào</source>
        <translation>never synced</translation>
    </message>
    <message>
        <source>đồng bộ lần cuối %1</source>
        <translation>last synced %1</translation>
    </message>
    <message>
        <source>%1 thay đổi bị từ chối</source>
        <translation>%1 changes refused</translation>
    </message>
    <message>
        <source>lỗi: %1</source>
        <translation>error: %1</translation>
    </message>
    <message>
        <source>Đồng bộ: </source>
        <translation>Sync: </translation>
    </message>
    <message>
        <source>%1 dòng dữ liệu lỗi</source>
        <translation>%1 faulty rows</translation>
    </message>
    <message>
        <source>Đang đồng bộ…</source>
        <translation>Syncing…</translation>
    </message>
    <message>
        <source>Đang gửi %1/%2…</source>
        <translation>Sending %1/%2…</translation>
    </message>
    <message>
        <source>Đang tải dữ liệu của xã: %1/%2 MB…</source>
        <translation>Downloading the commune&apos;s data: %1/%2 MB…</translation>
    </message>
    <message>
        <source>Đang nhận %1…</source>
        <translation>Receiving %1…</translation>
    </message>
    <message>
        <source>%1 xung đột</source>
        <translation>%1 conflicts</translation>
    </message>
    <message>
        <source>%1 lượt sai ngày</source>
        <translation>%1 sessions with a wrong date</translation>
    </message>
    <message>
        <source>⚠ %1 cần xem</source>
        <translation>⚠ %1 to review</translation>
    </message>
    <message>
        <source>Đồng bộ chưa xong: %1</source>
        <translation>Sync did not finish: %1</translation>
    </message>
</context>
<context>
    <name>TallyPeriodPicker</name>
    <message>
        <source>Kỳ báo cáo</source>
        <translation>Report period</translation>
    </message>
    <message>
        <source>Tuần này</source>
        <translation>This week</translation>
    </message>
    <message>
        <source>Tuần trước</source>
        <translation>Last week</translation>
    </message>
    <message>
        <source>Chọn tuần…</source>
        <translation>Choose a week…</translation>
    </message>
    <message>
        <source>Chọn tháng…</source>
        <translation>Choose a month…</translation>
    </message>
    <message>
        <source>Tùy chọn…</source>
        <translation>Custom…</translation>
    </message>
    <message>
        <source>Kỳ trước (Alt+←)</source>
        <translation>Previous period (Alt+←)</translation>
    </message>
    <message>
        <source>Kỳ sau (Alt+→)</source>
        <translation>Next period (Alt+→)</translation>
    </message>
    <message>
        <source>Từ ngày</source>
        <translation>From</translation>
    </message>
    <message>
        <source>Đến ngày</source>
        <translation>To</translation>
    </message>
    <message>
        <source>Tuần %1/%2: %3</source>
        <translation>Week %1/%2: %3</translation>
    </message>
    <message>
        <source>Tháng %1/%2: %3</source>
        <translation>Month %1/%2: %3</translation>
    </message>
    <message>
        <source>%1 ngày: %2</source>
        <translation>%1 days: %2</translation>
    </message>
</context>
<context>
    <name>TallyResults</name>
    <message>
        <source>Kết quả theo loại hỗ trợ</source>
        <translation>Results by service</translation>
    </message>
    <message>
        <source>Kết quả theo thôn</source>
        <translation>Results by village</translation>
    </message>
    <message>
        <source>Theo &amp;loại hỗ trợ</source>
        <translation>By &amp;service</translation>
    </message>
    <message>
        <source>Theo &amp;thôn</source>
        <translation>By vill&amp;age</translation>
    </message>
    <message>
        <source>Hẹn lại chưa xong đến hết kỳ: %1 lượt</source>
        <translation>Follow-ups still open at the end of the period: %1</translation>
    </message>
    <message>
        <source>So với
tuần trước</source>
        <translation>Change on
last week</translation>
    </message>
    <message>
        <source>Tuần trước</source>
        <translation>Last week</translation>
    </message>
    <message>
        <source>So với
tháng trước</source>
        <translation>Change on
last month</translation>
    </message>
    <message>
        <source>Tháng trước</source>
        <translation>Last month</translation>
    </message>
    <message>
        <source>So với
kỳ trước</source>
        <translation>Change on
previous period</translation>
    </message>
    <message>
        <source>Kỳ trước</source>
        <translation>Previous period</translation>
    </message>
    <message>
        <source>Chưa có loại hỗ trợ nào được đánh dấu là kỹ năng số cơ bản.</source>
        <translation>No service is marked as a basic digital skill yet.</translation>
    </message>
    <message>
        <source>Hộ có người được hỗ trợ đủ %1 kỹ năng số cơ bản: %2/%3 hộ (tỷ lệ %4)</source>
        <translation>Households with a person helped with all %1 basic digital skills: %2/%3 (rate %4)</translation>
    </message>
</context>
<context>
    <name>TallyView</name>
    <message>
        <source>Tất cả các thôn</source>
        <translation>All villages</translation>
    </message>
    <message>
        <source>Tất cả thành viên tổ</source>
        <translation>All team members</translation>
    </message>
    <message>
        <source>&amp;Xem trước khi in</source>
        <translation>Pre&amp;view</translation>
    </message>
    <message>
        <source>&amp;In…</source>
        <translation>P&amp;rint…</translation>
    </message>
    <message>
        <source>Lưu &amp;PDF…</source>
        <translation>Save P&amp;DF…</translation>
    </message>
    <message>
        <source>Xuất &amp;Excel…</source>
        <translation>E&amp;xport to Excel…</translation>
    </message>
    <message>
        <source>&amp;Kỳ báo cáo:</source>
        <translation>&amp;Period:</translation>
    </message>
    <message>
        <source>T&amp;hôn:</source>
        <translation>V&amp;illage:</translation>
    </message>
    <message>
        <source>Thành &amp;viên tổ:</source>
        <translation>Team &amp;member:</translation>
    </message>
    <message>
        <source>Lượt hỗ trợ 12 tuần gần nhất</source>
        <translation>Help sessions over the last 12 weeks</translation>
    </message>
    <message>
        <source>Đang tính báo cáo…</source>
        <translation>Computing the report…</translation>
    </message>
    <message>
        <source>%1 lượt hỗ trợ có ngày không hợp lý (đồng hồ máy ghi sai) không được tính. Tổ trưởng sửa lại ngày ở «Xem xung đột» → «Ngày không hợp lý».</source>
        <translation>%1 help sessions with an impossible date (a wrong laptop clock) are not counted. A team leader corrects their dates under &apos;Review conflicts&apos; → &apos;Impossible dates&apos;.</translation>
    </message>
</context>
<context>
    <name>TeamMemberModel</name>
    <message>
        <source>%1 (tổ trưởng)</source>
        <translation>%1 (leader)</translation>
    </message>
</context>
<context>
    <name>TimelineModel</name>
    <message>
        <source>Ngày giờ / loại hỗ trợ</source>
        <translation>Date and time / service</translation>
    </message>
    <message>
        <source>Kết quả</source>
        <translation>Result</translation>
    </message>
    <message>
        <source>Người ghi, ghi chú</source>
        <translation>Logged by, notes</translation>
    </message>
    <message numerus="yes">
        <source>%n loại hỗ trợ</source>
        <translation>
            <numerusform>%n service</numerusform>
            <numerusform>%n services</numerusform>
        </translation>
    </message>
    <message>
        <source>Người ghi: %1</source>
        <translation>Logged by: %1</translation>
    </message>
    <message>
        <source>Người được hỗ trợ: %1</source>
        <translation>Person helped: %1</translation>
    </message>
    <message>
        <source>Ghi chú: %1</source>
        <translation>Notes: %1</translation>
    </message>
    <message>
        <source>Hẹn lại ngày %1</source>
        <translation>Follow-up on %1</translation>
    </message>
    <message>
        <source>Chưa thành công: %1</source>
        <translation>Failed: %1</translation>
    </message>
    <message>
        <source>Thành công</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>Đã sửa lại (thay lượt trước)</source>
        <translation>Corrected (replaces the earlier session)</translation>
    </message>
    <message>
        <source>Đã hủy: %1 (%2, %3)</source>
        <translation>Cancelled: %1 (%2, %3)</translation>
    </message>
    <message>
        <source>Đã hủy (%1, %2)</source>
        <translation>Cancelled (%1, %2)</translation>
    </message>
</context>
<context>
    <name>TodayPanel</name>
    <message>
        <source>Hoàn tác lượt vừa ghi (Ctrl+Z)</source>
        <translation>Undo last logged visit (Ctrl+Z)</translation>
    </message>
    <message>
        <source>Hủy lượt đang chọn (Delete)</source>
        <translation>Cancel selected session (Delete)</translation>
    </message>
    <message>
        <source>&lt;b&gt;Hôm nay: %1 lượt hỗ trợ&lt;/b&gt;</source>
        <translation>&lt;b&gt;Help sessions today: %1&lt;/b&gt;</translation>
    </message>
</context>
<context>
    <name>TypedDateField</name>
    <message>
        <source>ngày/tháng/năm, ví dụ 20/12/2026</source>
        <translation>day/month/year, e.g. 20/12/2026</translation>
    </message>
    <message>
        <source>Gõ 20/12/2026, 20/12/26, 20122026 hoặc 20/12 (năm nay); Alt+↓ hoặc nút lịch để chọn ngày.</source>
        <translation>Type 20/12/2026, 20/12/26, 20122026 or 20/12 (this year); Alt+↓ or the calendar button to pick a day.</translation>
    </message>
    <message>
        <source>Chọn ngày trên lịch</source>
        <translation>Pick a day on the calendar</translation>
    </message>
</context>
<context>
    <name>UpdateBanner</name>
    <message>
        <source>Xem và cài đặt…</source>
        <translation>View and install…</translation>
    </message>
    <message>
        <source>Có phiên bản mới: %1</source>
        <translation>New version available: %1</translation>
    </message>
    <message>
        <source>(máy này đang dùng phiên bản %1)</source>
        <translation>(this laptop runs version %1)</translation>
    </message>
</context>
<context>
    <name>UpdateDialog</name>
    <message>
        <source>Có phiên bản mới</source>
        <translation>New version available</translation>
    </message>
    <message>
        <source>Phiên bản %1 (máy này: %2) — %3 MB, phát hành ngày %4.</source>
        <translation>Version %1 (this laptop: %2) — %3 MB, published %4.</translation>
    </message>
    <message>
        <source>(Không có ghi chú.)</source>
        <translation>(No notes.)</translation>
    </message>
    <message>
        <source>Tải về</source>
        <translation>Download</translation>
    </message>
    <message>
        <source>Dừng tải</source>
        <translation>Stop downloading</translation>
    </message>
    <message>
        <source>Cài đặt ngay</source>
        <translation>Install now</translation>
    </message>
    <message>
        <source>Để sau</source>
        <translation>Later</translation>
    </message>
    <message>
        <source>Những thay đổi:</source>
        <translation>What changed:</translation>
    </message>
    <message>
        <source>Đang tải về…</source>
        <translation>Downloading…</translation>
    </message>
    <message>
        <source>Đã tải về và kiểm tra xong. Bấm «Cài đặt ngay» để cài (ứng dụng sẽ đóng lại).</source>
        <translation>Downloaded and checked. Click «Install now» to install (the app will close).</translation>
    </message>
    <message>
        <source>Đã dừng tải; lần sau sẽ tải tiếp từ chỗ đã dừng.</source>
        <translation>Download stopped; next time it resumes where it stopped.</translation>
    </message>
    <message>
        <source>Tải về gặp lỗi ngoài dự kiến; hãy thử lại.</source>
        <translation>The download failed unexpectedly; try again.</translation>
    </message>
</context>
<context>
    <name>VillageTallyModel</name>
    <message>
        <source>Thôn</source>
        <translation>Village</translation>
    </message>
    <message>
        <source>Toàn xã</source>
        <translation>Whole commune</translation>
    </message>
</context>
<context>
    <name>VillagesPage</name>
    <message>
        <source>Thôn, tổ dân phố</source>
        <translation>Villages and residential groups</translation>
    </message>
    <message>
        <source>Gõ tên từng thôn hoặc tổ dân phố rồi nhấn Enter để thêm. Khi đủ, nhấn Enter ở ô trống để tiếp tục.</source>
        <translation>Type the name of each village or residential group and press Enter to add it. When the list is complete, press Enter in the empty box to continue.</translation>
    </message>
    <message>
        <source>Tên thô&amp;n:</source>
        <translation>&amp;Village name:</translation>
    </message>
    <message>
        <source>ví dụ: Thôn Khay, Tổ dân phố 3</source>
        <translation>e.g. Thôn Khay, Tổ dân phố 3</translation>
    </message>
    <message>
        <source>&amp;Xóa thôn đã chọn</source>
        <translation>&amp;Remove selected village</translation>
    </message>
    <message>
        <source>Cần ít nhất một thôn hoặc tổ dân phố để tiếp tục.</source>
        <translation>At least one village or residential group is needed to continue.</translation>
    </message>
    <message>
        <source>Hãy gõ tên thôn trước khi thêm.</source>
        <translation>Type a village name before adding.</translation>
    </message>
</context>
<context>
    <name>VisitForm</name>
    <message>
        <source>Xem hộ… (Ctrl+O)</source>
        <translation>Open household… (Ctrl+O)</translation>
    </message>
    <message>
        <source>Ghi chú (không bắt buộc)</source>
        <translation>Notes (optional)</translation>
    </message>
    <message>
        <source>Người dân đồng ý cho ghi thông tin</source>
        <translation>Resident consents to their details being recorded</translation>
    </message>
    <message>
        <source>Lưu (Enter / Ctrl+S)</source>
        <translation>Save (Enter / Ctrl+S)</translation>
    </message>
    <message>
        <source>← ↑ → ↓ Space: chọn · 1 Thành công · 2 Hẹn lại · 3 Chưa thành công · Tab: quay lại loại hỗ trợ · Enter: lưu · Esc: hộ khác</source>
        <translation>← ↑ → ↓ Space: choose · 1 Done · 2 Follow-up · 3 Failed · Tab: back to the services · Enter: save · Esc: another household</translation>
    </message>
    <message>
        <source>Người được hỗ trợ</source>
        <translation>Person helped</translation>
    </message>
    <message>
        <source>Thêm nhân khẩu… (Ctrl+N)</source>
        <translation>Add member… (Ctrl+N)</translation>
    </message>
    <message>
        <source>Loại hỗ trợ (Space để chọn, chọn được nhiều)</source>
        <translation>Services (Space to select; you can choose several)</translation>
    </message>
    <message>
        <source>(cả hộ / không ghi tên)</source>
        <translation>(whole household / no name)</translation>
    </message>
    <message>
        <source>Hộ này chưa được hỗ trợ lần nào.</source>
        <translation>This household has not been helped yet.</translation>
    </message>
    <message>
        <source>Đã hỗ trợ trước đây:</source>
        <translation>Helped before:</translation>
    </message>
    <message>
        <source>… và %1 lượt khác</source>
        <translation>… and %1 more</translation>
    </message>
</context>
<context>
    <name>VisitUndo</name>
    <message>
        <source>Hoàn tác lượt hỗ trợ</source>
        <translation>Undo a visit</translation>
    </message>
    <message>
        <source>Hoàn tác lượt này?</source>
        <translation>Undo this visit?</translation>
    </message>
    <message>
        <source>Lượt sẽ bị hủy (vẫn còn trong lịch sử, gạch ngang). Enter: hoàn tác · Esc: giữ lại.</source>
        <translation>The sessions will be cancelled (they stay in the history, struck through). Enter: undo · Esc: keep.</translation>
    </message>
    <message>
        <source>Hoàn tác</source>
        <translation>Undo</translation>
    </message>
    <message>
        <source>Giữ lại</source>
        <translation>Keep</translation>
    </message>
    <message>
        <source>Đã hoàn tác: %1</source>
        <translation>Undone: %1</translation>
    </message>
</context>
<context>
    <name>VolunteerPage</name>
    <message>
        <source>Ai đang ghi?</source>
        <translation>Who is logging?</translation>
    </message>
    <message>
        <source>Chọn người đang dùng máy này. Mỗi lượt hỗ trợ được ghi dưới tên người này; có thể đổi lại bất cứ lúc nào.</source>
        <translation>Choose the person using this computer. Each help session is logged under this person&apos;s name; you can change it at any time.</translation>
    </message>
    <message>
        <source>&amp;Người đang ghi:</source>
        <translation>&amp;Person logging:</translation>
    </message>
</context>
<context>
    <name>VolunteerPicker</name>
    <message>
        <source>Ai đang ghi?</source>
        <translation>Who is logging?</translation>
    </message>
    <message>
        <source>Chọn tên &amp;bạn trong danh sách thành viên tổ:</source>
        <translation>Choose &amp;your name from the list of team members:</translation>
    </message>
    <message>
        <source>Chưa có thành viên tổ nào. Hãy chạy lại phần thiết lập ban đầu.</source>
        <translation>There are no team members yet. Run the first-time setup again.</translation>
    </message>
    <message>
        <source>&amp;Chọn</source>
        <translation>&amp;Choose</translation>
    </message>
    <message>
        <source>Hủy</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>WeeklyChart</name>
    <message>
        <source>Biểu đồ lượt hỗ trợ theo tuần</source>
        <translation>Chart of help sessions per week</translation>
    </message>
    <message>
        <source>Các loại khác (%1)</source>
        <translation>Other services (%1)</translation>
    </message>
    <message>
        <source>T%1</source>
        <translation>W%1</translation>
    </message>
    <message>
        <source>Chưa có lượt hỗ trợ nào trong các tuần này.</source>
        <translation>No help sessions in these weeks.</translation>
    </message>
    <message>
        <source>Tuần %1 (%2 – %3): %4 lượt</source>
        <translation>Week %1 (%2 – %3): %4 sessions</translation>
    </message>
</context>
<context>
    <name>WindowLock</name>
    <message>
        <source>Chưa khóa được</source>
        <translation>Not locked</translation>
    </message>
    <message>
        <source>Chưa thành viên nào đặt mã PIN, nên không có gì để mở khóa. Hãy đặt mã PIN trong Cài đặt (F6) trước.</source>
        <translation>No team member has a PIN yet, so nothing could unlock it. Set a PIN in Settings (F6) first.</translation>
    </message>
</context>
<context>
    <name>_EntryListPage</name>
    <message>
        <source>Thê&amp;m</source>
        <translation>&amp;Add</translation>
    </message>
    <message>
        <source>«%1» đã có trong danh sách.</source>
        <translation>“%1” is already in the list.</translation>
    </message>
</context>
</TS>
