// placeholder: app/bench_send.cpp (issue 7)
