// Known fake secrets the audit tests plant and then look for on disk and in exports (AWS documentation examples).
export const FAKE_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const FAKE_TOKEN =
  'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6f3nPq2Rj9oJ0k0X1t7+r1cT8lqTQzYlPEXAMPLEwIgXYZabcDEFghijKLMNOPqrstuVWXyz0123456789+/abcdEFGHijklMNOPqrstUVWXyz';
export const FAKE_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
