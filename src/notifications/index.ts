export { NotificationDto } from './notification.dto';
