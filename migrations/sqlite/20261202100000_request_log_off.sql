-- When a server last ran with the request log off (`TREKMAIL_REQUEST_LOG=0`, noted at start and
-- every minute): its requests were not logged, so "Narrow to what it used" does not trust the log
-- over a window that includes that time. One row.
create table request_log_off (
    singleton bigint not null primary key check (singleton = 1),
    last_at   bigint not null
);
